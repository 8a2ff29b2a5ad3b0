package dev.prune4j.sparse;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;

/** The argument rules of {@link LinearKernels}, checked once by {@link SparseLinear}. */
final class LinearArgs {
    private LinearArgs() {}

    /**
     * Checks host tensors {@code x [.., in]} and {@code y [.., out]} with as many rows as {@code x},
     * both F32, F16 or BF16; {@code weight} names the layer in errors.
     */
    static void check(Tensor x, String weight, long out, long in, Tensor y) {
        requireFloat(x, weight);
        requireFloat(y, weight);
        x.requireHost();
        y.requireHost();
        if (x.rank() == 0 || x.cols() != in) {
            throw new IllegalArgumentException("layer '" + weight + "' [" + out + ", " + in + "]: input " + x
                    + " does not end in in_features = " + in);
        }
        if (y.rank() == 0 || y.cols() != out || y.rows() != x.rows()) {
            throw new IllegalArgumentException("layer '" + weight + "' [" + out + ", " + in + "]: output " + y
                    + " is not [" + x.rows() + " tokens, " + out + "]");
        }
        if (x.rows() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("layer '" + weight + "': input " + x + " has too many tokens");
        }
    }

    static void requireFloat(Tensor t, String weight) {
        DType d = t.dtype();
        if (d != DType.F32 && d != DType.F16 && d != DType.BF16) {
            throw new IllegalArgumentException("layer '" + weight + "': " + t + " must be F32, F16 or BF16");
        }
    }
}
