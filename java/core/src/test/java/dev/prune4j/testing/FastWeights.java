package dev.prune4j.testing;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Half;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Test data for the big shapes (up to 28672 x 8192): 2:4 weights and activations written as raw
 * 16-bit patterns from a small table of random values, fast enough for every shape of the table.
 */
public final class FastWeights {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private FastWeights() {}

    private static short[] table(DType dtype, Random rnd, boolean gaussian) {
        short[] t = new short[4096];
        for (int i = 0; i < t.length; i++) {
            float v = gaussian ? (float) rnd.nextGaussian() : TwoFourWeights.nonZero(rnd);
            t[i] = (short) (dtype == DType.F16 ? Half.floatToF16(v) : Half.floatToBf16(v));
        }
        return t;
    }

    /** A 2:4 weight: each group keeps 2 random positions (1 in 16 groups keeps 1, 1 in 32 none). */
    public static Tensor twoFour(Arena arena, DType dtype, int rows, int cols, Random rnd) {
        Tensor w = Tensor.allocate(arena, "w", dtype, rows, cols);
        MemorySegment m = w.data();
        short[] values = table(dtype, rnd, false);
        long state = rnd.nextLong() | 1;
        long groups = (long) rows * cols / 4;
        for (long g = 0; g < groups; g++) {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            int kind = (int) (state & 31);
            int first = (int) (state >>> 8 & 3);
            int second = (first + 1 + (int) (state >>> 10 & 3) % 3) & 3;
            for (int p = 0; p < 4; p++) {
                boolean kept = kind != 0 && (p == first || (p == second && kind > 1));
                short bits = kept ? values[(int) (state >>> (16 + 3 * p) & 4095)] : (short) ((state >>> (50 + p) & 1) << 15);
                m.set(I16, 8 * g + 2L * p, bits);
            }
        }
        return w;
    }

    public static Tensor activations(Arena arena, DType dtype, int tokens, int cols, Random rnd) {
        Tensor x = Tensor.allocate(arena, "x", dtype, tokens, cols);
        short[] values = table(dtype, rnd, true);
        MemorySegment m = x.data();
        long state = rnd.nextLong() | 1;
        for (long i = 0; i < (long) tokens * cols; i++) {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            m.set(I16, 2 * i, values[(int) (state & 4095)]);
        }
        return x;
    }
}
