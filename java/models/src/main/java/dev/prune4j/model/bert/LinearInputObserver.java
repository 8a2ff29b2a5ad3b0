package dev.prune4j.model.bert;

import dev.prune4j.tensor.Tensor;

/**
 * Sees the input of every linear layer during a forward pass: the calibration hook for pruning
 * methods that weigh weights by activations (Wanda's per-column norms, SparseGPT's Hessian
 * {@code X^T X}).
 *
 * <p>{@code linearName} is the layer's name as in the checkpoint without {@code .weight}
 * ({@code encoder.layer.0.attention.self.query}); {@code inputs} is an F32 tensor
 * {@code [tokens, in_features]} holding only real tokens (no padding). It is valid only during the
 * call: copy or accumulate what you need. Calls come from the thread running the forward pass, one
 * layer at a time, in execution order, once per batch of sentences; query, key and value see the
 * same input, each under its own name.
 */
@FunctionalInterface
public interface LinearInputObserver {
    void observe(String linearName, Tensor inputs);

    /** Observes nothing. */
    LinearInputObserver NONE = (name, inputs) -> {};
}
