package dev.prune4j.model.eval;

import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;

/**
 * Prunes one linear layer: from its name, its F32 weight {@code [out, in]} and the calibration
 * statistics gathered for that layer (Wanda's activation norms, SparseGPT's Hessian; {@code null}
 * for methods that need none), a pruned weight of the same shape, allocated in {@code arena}.
 * The input weight is never modified.
 *
 * @param <S> the per-layer statistics type ({@code Void} for magnitude pruning)
 */
@FunctionalInterface
public interface Pruner<S> {
    Tensor prune(String layerName, Tensor weight, S stats, Arena arena);
}
