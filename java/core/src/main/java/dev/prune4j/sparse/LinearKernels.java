package dev.prune4j.sparse;

import dev.prune4j.tensor.Tensor;

/**
 * The GEMMs of a linear layer, {@code Y = X W^T (+ bias)}, as an engine supplies them
 * ({@code Engine.linearKernels()}): a dense weight or a {@link Sparse24} one, prepared once (device
 * engines upload it then) and run for many inputs. {@code X} is {@code [tokens, in]} (any leading
 * shape whose last dimension is {@code in}), {@code Y} {@code [tokens, out]} with the same leading
 * shape, the bias {@code [out]} or {@code null}; each F32, F16 or BF16. Products are accumulated in
 * F32 and rounded once to {@code Y}'s dtype.
 *
 * <p>This is the engines' side: {@link SparseLinear} is the facade that checks every argument once
 * before it reaches a kernel. The CPU kernels are the default and the reference for the others.
 */
public interface LinearKernels {
    /** One line for logs and reports: where and how the GEMMs run. */
    String description();

    /** The dense weight {@code w [out, in]} and {@code bias} (may be null) made ready for many calls. */
    Prepared prepareDense(Tensor w, Tensor bias);

    /** The 2:4 weight {@code w} and {@code bias} (may be null) made ready for many calls. */
    Prepared prepareSparse24(Sparse24 w, Tensor bias);

    /** A layer's weight (and bias) ready to run; closing it frees what preparing allocated. */
    interface Prepared extends AutoCloseable {
        /** {@code y = x W^T (+ bias)} with the prepared weight and bias; host tensors. */
        void forward(Tensor x, Tensor y);

        @Override
        default void close() {}
    }
}
