package dev.prune4j.calib;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Half;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** F32 working copies of weights, and writing them back in a weight's own dtype. */
public final class F32Tensors {
    /**
     * Elements converted per bulk copy: the conversion loops run over heap arrays, where C2 turns
     * them into hardware conversions, instead of one dtype switch per element.
     */
    private static final int CHUNK = 1 << 14;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private F32Tensors() {}

    /** A new F32 tensor with {@code t}'s shape and values (exact: F16 and BF16 widen losslessly). */
    public static Tensor copyOf(Tensor t, Arena arena, String name) {
        Tensor out = Tensor.allocate(arena, name, DType.F32, t.shape());
        if (t.dtype() == DType.F32) {
            MemorySegment.copy(t.data(), 0, out.data(), 0, t.byteSize());
        } else if (t.dtype() != DType.F16 && t.dtype() != DType.BF16) {
            for (long i = 0; i < t.numel(); i++) {
                out.setFloat(i, t.getFloat(i));
            }
        } else {
            short[] halves = new short[CHUNK];
            float[] floats = new float[CHUNK];
            boolean f16 = t.dtype() == DType.F16;
            for (long i0 = 0; i0 < t.numel(); i0 += CHUNK) {
                int n = (int) Math.min(CHUNK, t.numel() - i0);
                MemorySegment.copy(t.data(), I16, i0 * 2, halves, 0, n);
                if (f16) {
                    for (int j = 0; j < n; j++) {
                        floats[j] = Float.float16ToFloat(halves[j]);
                    }
                } else {
                    for (int j = 0; j < n; j++) {
                        floats[j] = Half.bf16ToFloat(halves[j]);
                    }
                }
                MemorySegment.copy(floats, 0, out.data(), F32, i0 * 4, n);
            }
        }
        return out;
    }

    /** Writes the F32 {@code src} into {@code dst} (same shape), rounding to {@code dst}'s dtype. */
    public static void writeRounded(Tensor src, Tensor dst) {
        if (dst.dtype() == DType.F32) {
            MemorySegment.copy(src.data(), 0, dst.data(), 0, src.byteSize());
            return;
        }
        if (dst.dtype() != DType.F16 && dst.dtype() != DType.BF16) {
            for (long i = 0; i < src.numel(); i++) {
                dst.setFloat(i, src.getFloat(i));
            }
            return;
        }
        short[] halves = new short[CHUNK];
        float[] floats = new float[CHUNK];
        boolean f16 = dst.dtype() == DType.F16;
        for (long i0 = 0; i0 < src.numel(); i0 += CHUNK) {
            int n = (int) Math.min(CHUNK, src.numel() - i0);
            MemorySegment.copy(src.data(), F32, i0 * 4, floats, 0, n);
            if (f16) {
                for (int j = 0; j < n; j++) {
                    halves[j] = Float.floatToFloat16(floats[j]);
                }
            } else {
                for (int j = 0; j < n; j++) {
                    halves[j] = Half.floatToBf16(floats[j]);
                }
            }
            MemorySegment.copy(halves, 0, dst.data(), I16, i0 * 2, n);
        }
    }
}
