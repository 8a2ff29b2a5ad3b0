package dev.prune4j.model.bert;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.sparse.SparseLinear;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * One linear layer, {@code Y = X W^T + b}, with W {@code [out_features, in_features]} as in
 * PyTorch's {@code nn.Linear}. Every matrix product of the encoder goes through here, so a pruned
 * weight is swapped in by name ({@link #withWeight}) and a {@link LinearInputObserver} sees every
 * input.
 *
 * <p>A layer whose weight is 2:4 sparse can also hold it compressed ({@link #withSparse24Kernels}):
 * its products then run on the 2:4 kernels of {@link SparseLinear}, which read half the weights
 * (the same numbers, summed in the same F32; the dense weight stays the layer's {@link #weight()}).
 *
 * @param name       the layer's name, the checkpoint's weight name without {@code .weight}
 * @param weight     F32 {@code [out, in]}
 * @param bias       F32 {@code [out]}, or {@code null}
 * @param compressed {@code weight} in the 2:4 format, which {@link #forward} then runs on; or {@code null}
 */
public record Linear(String name, Tensor weight, Tensor bias, Sparse24 compressed) {
    public Linear {
        Objects.requireNonNull(name, "name");
        if (weight.dtype() != DType.F32 || weight.rank() != 2) {
            throw new IllegalArgumentException("linear layer '" + name + "': weight '" + weight.name()
                    + "' must be a 2-D F32 tensor, got " + weight);
        }
        if (bias != null && (bias.dtype() != DType.F32 || bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
            throw new IllegalArgumentException("linear layer '" + name + "': bias " + bias
                    + " does not match weight " + weight);
        }
        if (compressed != null && (compressed.rows() != weight.dim(0) || compressed.cols() != weight.dim(1))) {
            throw new IllegalArgumentException("linear layer '" + name + "': 2:4 weight " + compressed.rows() + "x"
                    + compressed.cols() + " does not match weight " + weight);
        }
    }

    /** A layer that runs on its dense weight. */
    public Linear(String name, Tensor weight, Tensor bias) {
        this(name, weight, bias, null);
    }

    public int inFeatures() {
        return Math.toIntExact(weight.dim(1));
    }

    public int outFeatures() {
        return Math.toIntExact(weight.dim(0));
    }

    /**
     * The same layer running on the 2:4 kernels: its weight compressed into {@code arena}.
     *
     * @throws IllegalArgumentException naming the first group of four with more than two non-zeros
     */
    public Linear withSparse24Kernels(Arena arena) {
        return new Linear(name, weight, bias, Sparse24.compress(weight, arena));
    }

    /** The same layer with {@code newWeight} (same shape, F32) in place of its weight (run dense). */
    public Linear withWeight(Tensor newWeight) {
        if (newWeight.dim(0) != weight.dim(0) || newWeight.rank() != 2 || newWeight.dim(1) != weight.dim(1)) {
            throw new IllegalArgumentException("linear layer '" + name + "': replacement weight " + newWeight
                    + " does not have the shape of " + weight);
        }
        return new Linear(name, newWeight, bias);
    }

    /**
     * {@code y[t, :] = x[t, :] W^T + b} for {@code t < tokens}.
     *
     * @param x [tokens, in] row-major
     * @param y [tokens, out] row-major, overwritten
     */
    public void forward(CpuEngine engine, float[] x, int tokens, float[] y) {
        int in = inFeatures();
        int out = outFeatures();
        if (x.length < (long) tokens * in || y.length < (long) tokens * out) {
            throw new IllegalArgumentException("linear layer '" + name + "': buffers of " + x.length + " and "
                    + y.length + " floats are too small for " + tokens + " tokens of " + in + " -> " + out);
        }
        if (tokens == 0) {
            return;
        }
        // The engine's GEMMs, the same kernels as every other linear layer of prune4j, on views of the arrays.
        Tensor xs = new Tensor(name + ".in", DType.F32, new long[] {tokens, in},
                MemorySegment.ofArray(x).asSlice(0, (long) tokens * in * 4));
        Tensor ys = new Tensor(name + ".out", DType.F32, new long[] {tokens, out},
                MemorySegment.ofArray(y).asSlice(0, (long) tokens * out * 4));
        try (SparseLinear layer = compressed != null ? SparseLinear.sparse(name, compressed, bias, engine.linearKernels())
                : SparseLinear.dense(name, weight, bias, engine.linearKernels())) {
            layer.forward(xs, ys);
        }
    }
}
