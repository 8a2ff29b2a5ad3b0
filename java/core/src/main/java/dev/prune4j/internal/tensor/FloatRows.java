package dev.prune4j.internal.tensor;

import static dev.prune4j.internal.tensor.LittleEndian.F32;
import static dev.prune4j.internal.tensor.LittleEndian.I16;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Half;
import java.lang.foreign.MemorySegment;

/**
 * The one reader and writer of F32, F16 and BF16 runs of elements as floats. 16-bit elements go
 * through one bulk copy into a {@code short[]} and a plain conversion loop over it: that is the
 * loop C2 turns into hardware conversions ({@code vcvtph2ps} for F16) and vectorised shifts (BF16),
 * instead of a dtype switch per element.
 */
public final class FloatRows {
    private FloatRows() {}

    /**
     * Elements {@code [first, first + n)} of {@code src} (a tensor of {@code dtype}) into
     * {@code dst[0 .. n)}; {@code halves} is scratch of at least {@code n} (unused for F32).
     */
    public static void read(MemorySegment src, DType dtype, long first, int n, float[] dst, short[] halves) {
        read(src, dtype, first, n, dst, 0, halves);
    }

    /** As {@link #read(MemorySegment, DType, long, int, float[], short[])}, into {@code dst[at .. at + n)}. */
    public static void read(MemorySegment src, DType dtype, long first, int n, float[] dst, int at, short[] halves) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(src, F32, first * 4, dst, at, n);
            case F16 -> {
                MemorySegment.copy(src, I16, first * 2, halves, 0, n);
                for (int j = 0; j < n; j++) {
                    dst[at + j] = Float.float16ToFloat(halves[j]);
                }
            }
            case BF16 -> {
                MemorySegment.copy(src, I16, first * 2, halves, 0, n);
                for (int j = 0; j < n; j++) {
                    dst[at + j] = Float.intBitsToFloat((halves[j] & 0xFFFF) << 16);
                }
            }
            default -> throw new IllegalArgumentException("dtype " + dtype + " is not F32, F16 or BF16");
        }
    }

    /**
     * {@code src[0 .. n)} rounded to {@code dtype} (round to nearest even) into elements
     * {@code [first, first + n)} of {@code dst}; {@code halves} is scratch of at least {@code n}.
     */
    public static void write(float[] src, int n, DType dtype, MemorySegment dst, long first, short[] halves) {
        write(src, 0, n, dtype, dst, first, halves);
    }

    /** As {@link #write(float[], int, DType, MemorySegment, long, short[])}, from {@code src[at .. at + n)}. */
    public static void write(float[] src, int at, int n, DType dtype, MemorySegment dst, long first, short[] halves) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(src, at, dst, F32, first * 4, n);
            case F16 -> {
                for (int j = 0; j < n; j++) {
                    halves[j] = Float.floatToFloat16(src[at + j]);
                }
                MemorySegment.copy(halves, 0, dst, I16, first * 2, n);
            }
            case BF16 -> {
                for (int j = 0; j < n; j++) {
                    halves[j] = Half.floatToBf16(src[at + j]);
                }
                MemorySegment.copy(halves, 0, dst, I16, first * 2, n);
            }
            default -> throw new IllegalArgumentException("dtype " + dtype + " is not F32, F16 or BF16");
        }
    }
}
