package dev.prune4j.internal.cpu;

import dev.prune4j.internal.tensor.FloatRows;
import dev.prune4j.tensor.Tensor;

/** Rows of F32, F16 or BF16 matrices as floats, for the kernels (through {@link FloatRows}). */
final class Rows {
    private Rows() {}

    /** {@code len} elements of row {@code row} from column {@code c0} into {@code dst}; {@code halves} is scratch. */
    static void read(Tensor t, long row, int c0, int len, float[] dst, short[] halves) {
        FloatRows.read(t.data(), t.dtype(), row * t.cols() + c0, len, dst, halves);
    }

    /** A dimension the facade checked fits an int. */
    static int intDim(long d) {
        return Math.toIntExact(d);
    }
}
