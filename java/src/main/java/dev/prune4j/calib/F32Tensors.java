package dev.prune4j.calib;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** F32 working copies of weights, and writing them back in a weight's own dtype. */
public final class F32Tensors {
    private F32Tensors() {}

    /** A new F32 tensor with {@code t}'s shape and values (exact: F16 and BF16 widen losslessly). */
    public static Tensor copyOf(Tensor t, Arena arena, String name) {
        Tensor out = Tensor.allocate(arena, name, DType.F32, t.shape());
        if (t.dtype() == DType.F32) {
            MemorySegment.copy(t.data(), 0, out.data(), 0, t.byteSize());
        } else {
            for (long i = 0; i < t.numel(); i++) {
                out.setFloat(i, t.getFloat(i));
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
        for (long i = 0; i < src.numel(); i++) {
            dst.setFloat(i, src.getFloat(i));
        }
    }
}
