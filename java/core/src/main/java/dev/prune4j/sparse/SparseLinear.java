package dev.prune4j.sparse;

import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.Objects;

/**
 * A linear layer {@code Y = X W^T (+ bias)} whose weight is held either dense or 2:4-compressed
 * ({@link Sparse24}). The GEMMs come from the {@link LinearKernels} an engine supplies
 * ({@code engine.linearKernels()}), so the same layer runs on the CPU and on the GPU. This is the
 * facade of those kernels: every argument is checked here, once, before it reaches one.
 *
 * <pre>{@code
 * try (Checkpoint ckpt = Checkpoint.open(dir); Engine engine = Engines.create("auto"); Arena arena = Arena.ofShared()) {
 *     SparseLinear up = SparseLinear.fromCheckpoint(ckpt, "model.layers.0.mlp.up_proj", Mode.AUTO,
 *             engine.linearKernels(), arena);
 *     Tensor y = up.forward(x, arena);   // [tokens, out] in x's dtype
 * }
 * }</pre>
 *
 * <p>The layer owns no host memory: a dense weight and the bias are the tensors it was given (views
 * on a checkpoint's mapping stay valid until the checkpoint is closed); a compressed weight lives in
 * the arena it was compressed into. The kernels prepare the weight once when the layer is built
 * ({@link LinearKernels#prepareDense}): device kernels upload it then, not per call, and
 * {@link #close()} frees that copy.
 */
public final class SparseLinear implements AutoCloseable {
    /** How {@link #fromCheckpoint} stores the weight. */
    public enum Mode {
        /** 2:4-compressed when the weight is 2:4-valid, dense otherwise. */
        AUTO,
        /** Always dense (a zero-copy view on the checkpoint). */
        DENSE,
        /** Always compressed; a weight that is not 2:4 is an error naming its first offending group. */
        SPARSE24
    }

    private final String name;
    private final Tensor denseWeight;
    private final Sparse24 sparseWeight;
    private final Tensor bias;
    private final LinearKernels kernels;
    private final LinearKernels.Prepared prepared;
    private final int in;
    private final int out;

    private SparseLinear(String name, Tensor denseWeight, Sparse24 sparseWeight, Tensor bias, LinearKernels kernels,
                         long out, long in) {
        this.name = Objects.requireNonNull(name, "name");
        this.denseWeight = denseWeight;
        this.sparseWeight = sparseWeight;
        this.bias = bias;
        this.kernels = Objects.requireNonNull(kernels, "kernels");
        if (in > Integer.MAX_VALUE - 8 || out > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("layer '" + name + "' [" + out + ", " + in + "] is too large");
        }
        this.in = (int) in;
        this.out = (int) out;
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != out)) {
            throw new IllegalArgumentException("layer '" + name + "': bias " + bias + " is not [" + out + "]");
        }
        LinearArgs.requireFloat(denseWeight != null ? denseWeight : sparseWeight.values(), name);
        if (bias != null) {
            LinearArgs.requireFloat(bias, name);
            bias.requireHost();
        }
        this.prepared = sparseWeight != null ? kernels.prepareSparse24(sparseWeight, bias)
                : kernels.prepareDense(denseWeight, bias);
    }

    /** A layer with a dense weight {@code [out, in]}; {@code bias} may be null. */
    public static SparseLinear dense(String name, Tensor weight, Tensor bias, LinearKernels kernels) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("layer '" + name + "': weight " + weight + " is not [out, in]");
        }
        return new SparseLinear(name, weight, null, bias, kernels, weight.dim(0), weight.dim(1));
    }

    /** A layer with a 2:4 weight; {@code bias} may be null. */
    public static SparseLinear sparse(String name, Sparse24 weight, Tensor bias, LinearKernels kernels) {
        return new SparseLinear(name, null, weight, bias, kernels, weight.rows(), weight.cols());
    }

    /**
     * The layer {@code layer} of a (pruned) checkpoint: its weight {@code layer + ".weight"} and,
     * when the checkpoint has one, its bias {@code layer + ".bias"}, stored as {@code mode} says.
     * A compressed weight is built in {@code arena}; the checkpoint is only read.
     */
    public static SparseLinear fromCheckpoint(Checkpoint checkpoint, String layer, Mode mode, LinearKernels kernels,
                                              Arena arena) throws IOException {
        Tensor weight = checkpoint.tensor(layer + ".weight");
        Tensor bias = checkpoint.contains(layer + ".bias") ? checkpoint.tensor(layer + ".bias") : null;
        boolean compress = switch (mode) {
            case DENSE -> false;
            case SPARSE24 -> true;
            case AUTO -> Sparse24.isValid(weight);
        };
        return compress ? sparse(layer, Sparse24.compress(weight, arena), bias, kernels)
                : dense(layer, weight, bias, kernels);
    }

    /** {@code y = x W^T (+ bias)} into {@code y}: {@code x [.., in]}, {@code y [.., out]}, F32, F16 or BF16. */
    public void forward(Tensor x, Tensor y) {
        LinearArgs.check(x, name, out, in, y);
        prepared.forward(x, y);
    }

    /** Frees what the kernels prepared for this layer (device memory on a GPU engine). */
    @Override
    public void close() {
        prepared.close();
    }

    /** {@code x W^T (+ bias)} as a new tensor of {@code x}'s dtype and leading shape, in {@code arena}. */
    public Tensor forward(Tensor x, Arena arena) {
        if (x.rank() == 0) {
            throw new IllegalArgumentException("layer '" + name + "': input " + x + " is a scalar");
        }
        long[] shape = x.shape();
        shape[shape.length - 1] = out;
        Tensor y = Tensor.allocate(arena, name + ".out", x.dtype(), shape);
        forward(x, y);
        return y;
    }

    public String name() {
        return name;
    }

    public boolean isSparse() {
        return sparseWeight != null;
    }

    /** The dense weight; only for a dense layer. */
    public Tensor denseWeight() {
        if (denseWeight == null) {
            throw new IllegalStateException("layer '" + name + "' holds a 2:4 weight");
        }
        return denseWeight;
    }

    /** The compressed weight; only for a 2:4 layer. */
    public Sparse24 sparseWeight() {
        if (sparseWeight == null) {
            throw new IllegalStateException("layer '" + name + "' holds a dense weight");
        }
        return sparseWeight;
    }

    /** The bias, or null. */
    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    /** Bytes of the weight as held: the dense tensor, or values plus metadata. */
    public long weightBytes() {
        return sparseWeight != null ? sparseWeight.byteSize() : denseWeight.byteSize();
    }

    @Override
    public String toString() {
        return "SparseLinear[" + name + " " + out + "x" + in + (isSparse() ? " 2:4 " + sparseWeight.dtype()
                : " dense " + denseWeight.dtype()) + (bias != null ? ", bias" : "") + "]";
    }
}
