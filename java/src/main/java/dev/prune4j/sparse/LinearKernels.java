package dev.prune4j.sparse;

import dev.prune4j.engine.CpuEngine;
import dev.prune4j.engine.Engine;
import dev.prune4j.tensor.Tensor;

/**
 * The GEMMs of a linear layer, {@code Y = X W^T (+ bias)}, supplied by an engine: a dense weight
 * or a {@link Sparse24} one. {@code X} is {@code [tokens, in]} (any leading shape whose last
 * dimension is {@code in}), {@code Y} is {@code [tokens, out]} with the same leading shape, bias is
 * {@code [out]} or {@code null}; each of F32, F16 or BF16. Products are accumulated in F32 and
 * rounded once to {@code Y}'s dtype. {@link LinearArgs#check} states the argument rules every
 * implementation enforces.
 *
 * <p>{@link CpuLinearKernels} is the reference. An engine offers its own kernels by implementing
 * {@link Provider}; {@link #of(Engine)} picks them up, so the CUDA engine plugs in without any
 * change to layers such as {@link SparseLinear}.
 */
public interface LinearKernels {
    /** One line for logs and reports: where and how the GEMMs run. */
    String description();

    /** {@code y = x w^T (+ bias)} with {@code w} dense {@code [out, in]}. */
    void dense(Tensor x, Tensor w, Tensor bias, Tensor y);

    /** {@code y = x w^T (+ bias)} with {@code w} 2:4-compressed. */
    void sparse24(Tensor x, Sparse24 w, Tensor bias, Tensor y);

    /**
     * A layer's weight (and bias) made ready for many calls: device kernels upload it once here.
     * Closing it frees what {@link #prepareDense}/{@link #prepareSparse24} allocated.
     */
    interface Prepared extends AutoCloseable {
        /** {@code y = x W^T (+ bias)} with the prepared weight and bias. */
        void forward(Tensor x, Tensor y);

        @Override
        default void close() {}
    }

    /** The dense weight {@code w} and {@code bias} (may be null) prepared; the default calls {@link #dense} each time. */
    default Prepared prepareDense(Tensor w, Tensor bias) {
        return (x, y) -> dense(x, w, bias, y);
    }

    /** The 2:4 weight {@code w} and {@code bias} (may be null) prepared; the default calls {@link #sparse24} each time. */
    default Prepared prepareSparse24(Sparse24 w, Tensor bias) {
        return (x, y) -> sparse24(x, w, bias, y);
    }

    /** Implemented by engines that have their own linear-layer kernels. */
    interface Provider {
        LinearKernels linearKernels();
    }

    /** The kernels of {@code engine}: its own when it is a {@link Provider}, the CPU ones for the CPU engine. */
    static LinearKernels of(Engine engine) {
        if (engine instanceof Provider p) {
            return p.linearKernels();
        }
        if (engine instanceof CpuEngine cpu) {
            return new CpuLinearKernels(cpu);
        }
        throw new UnsupportedOperationException("engine '" + engine.name() + "' has no linear-layer kernels yet");
    }
}
