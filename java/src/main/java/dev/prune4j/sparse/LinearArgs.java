package dev.prune4j.sparse;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;

/** Argument checks shared by every implementation of {@link LinearKernels}. */
public final class LinearArgs {
    private LinearArgs() {}

    /**
     * Checks {@code x [.., in]}, {@code y [.., out]} with as many rows as {@code x}, and
     * {@code bias [out]} or null, all F32, F16 or BF16; {@code weight} names the weight in errors.
     *
     * @return the token count (rows of {@code x})
     */
    public static int check(Tensor x, String weight, long out, long in, Tensor bias, Tensor y) {
        requireFloat(x, weight);
        requireFloat(y, weight);
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
        if (bias != null) {
            requireFloat(bias, weight);
            if (bias.rank() != 1 || bias.dim(0) != out) {
                throw new IllegalArgumentException("layer '" + weight + "' [" + out + ", " + in + "]: bias " + bias
                        + " is not [" + out + "]");
            }
        }
        return (int) x.rows();
    }

    private static void requireFloat(Tensor t, String weight) {
        DType d = t.dtype();
        if (d != DType.F32 && d != DType.F16 && d != DType.BF16) {
            throw new IllegalArgumentException("layer '" + weight + "': " + t + " must be F32, F16 or BF16");
        }
    }
}
