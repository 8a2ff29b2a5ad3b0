package dev.prune4j.engine.cpu;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Half;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Reading rows of F32, F16 or BF16 tensors into float arrays, and the F32 element layout. */
final class Rows {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Rows() {}

    /** Copies {@code len} elements of row {@code row} from column {@code c0} into {@code dst}, as floats. */
    static void read(Tensor t, long row, int c0, int len, float[] dst) {
        long first = row * t.cols() + c0;
        MemorySegment s = t.data();
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(s, F32, first * 4, dst, 0, len);
            case F16 -> {
                for (int j = 0; j < len; j++) {
                    dst[j] = Half.f16ToFloat(s.getAtIndex(I16, first + j));
                }
            }
            case BF16 -> {
                for (int j = 0; j < len; j++) {
                    dst[j] = Half.bf16ToFloat(s.getAtIndex(I16, first + j));
                }
            }
            default -> throw new IllegalArgumentException("tensor '" + t.name() + "' has dtype " + t.dtype()
                    + "; expected F32, F16 or BF16");
        }
    }

    /**
     * As {@link #read(Tensor, long, int, int, float[])}, with 16-bit rows moved by one bulk copy into
     * {@code halves} (at least {@code len} long) first: the conversion loop over a {@code short[]}
     * is what C2 vectorises (hardware {@code vcvtph2ps} for F16).
     */
    static void read(Tensor t, long row, int c0, int len, float[] dst, short[] halves) {
        long first = row * t.cols() + c0;
        MemorySegment s = t.data();
        switch (t.dtype()) {
            case F16 -> {
                MemorySegment.copy(s, I16, first * 2, halves, 0, len);
                for (int j = 0; j < len; j++) {
                    dst[j] = Float.float16ToFloat(halves[j]);
                }
            }
            case BF16 -> {
                MemorySegment.copy(s, I16, first * 2, halves, 0, len);
                for (int j = 0; j < len; j++) {
                    dst[j] = Float.intBitsToFloat((halves[j] & 0xFFFF) << 16);
                }
            }
            default -> read(t, row, c0, len, dst);
        }
    }

    static void requirePrunable(Tensor t) {
        if (!t.dtype().prunable()) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has dtype " + t.dtype()
                    + "; expected F32, F16 or BF16");
        }
    }

    static void requireF32(Tensor t, long... shape) {
        if (t.dtype() != DType.F32 || !java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is " + t.dtype() + t.shapeString()
                    + "; expected F32" + java.util.Arrays.toString(shape));
        }
    }

    static int intDim(Tensor t, long d) {
        if (d > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' " + t.shapeString() + " is too large");
        }
        return (int) d;
    }
}
