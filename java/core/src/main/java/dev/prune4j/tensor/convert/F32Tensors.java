package dev.prune4j.tensor.convert;

import dev.prune4j.internal.tensor.FloatRows;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;

/**
 * F32 working copies of weights, and writing F32 results back in a weight's own dtype (rounded to
 * nearest even), in bulk: what a method or a model does before and after computing in F32.
 */
public final class F32Tensors {
    /** Elements converted per bulk copy. */
    private static final int CHUNK = 1 << 14;

    private F32Tensors() {}

    /** A new F32 tensor with {@code t}'s shape and values (exact: F16 and BF16 widen losslessly). */
    public static Tensor copyOf(Tensor t, Arena arena, String name) {
        t.requireHost();
        Tensor out = Tensor.allocate(arena, name, DType.F32, t.shape());
        if (!t.dtype().prunable()) {
            for (long i = 0; i < t.numel(); i++) {
                out.setFloat(i, t.getFloat(i));
            }
            return out;
        }
        short[] halves = new short[CHUNK];
        float[] floats = new float[CHUNK];
        for (long i0 = 0; i0 < t.numel(); i0 += CHUNK) {
            int n = (int) Math.min(CHUNK, t.numel() - i0);
            FloatRows.read(t.data(), t.dtype(), i0, n, floats, halves);
            FloatRows.write(floats, n, DType.F32, out.data(), i0, halves);
        }
        return out;
    }

    /** Writes the F32 {@code src} into {@code dst} (same shape), rounding to {@code dst}'s dtype. */
    public static void writeRounded(Tensor src, Tensor dst) {
        src.requireHost();
        dst.requireHost();
        if (!dst.dtype().prunable()) {
            for (long i = 0; i < src.numel(); i++) {
                dst.setFloat(i, src.getFloat(i));
            }
            return;
        }
        short[] halves = new short[CHUNK];
        float[] floats = new float[CHUNK];
        for (long i0 = 0; i0 < src.numel(); i0 += CHUNK) {
            int n = (int) Math.min(CHUNK, src.numel() - i0);
            FloatRows.read(src.data(), DType.F32, i0, n, floats, halves);
            FloatRows.write(floats, n, dst.dtype(), dst.data(), i0, halves);
        }
    }
}
