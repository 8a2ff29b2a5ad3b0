package dev.prune4j.bench;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Half;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Inputs of the GEMM benchmarks, made fast enough for the 70B shapes on the GPU machine (235 M
 * weights): 16-bit patterns from a table of 4096 random values, written in parallel per block of
 * rows with a block-seeded generator, so the result does not depend on the thread count. The
 * values only need to be realistic in magnitude (no zeros in kept positions, no infinities):
 * timing does not depend on them.
 */
final class GpuWeights {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long BLOCK = 1 << 16;

    private GpuWeights() {}

    private static short[] table(DType dtype, long seed, double scale, double offset) {
        SplittableRandom rnd = new SplittableRandom(seed);
        short[] t = new short[4096];
        for (int k = 0; k < t.length; k++) {
            float v = (float) (rnd.nextGaussian() * scale + (rnd.nextBoolean() ? offset : -offset));
            t[k] = dtype == DType.F16 ? Half.floatToF16(v) : Half.floatToBf16(v);
        }
        return t;
    }

    /** A 2:4 weight {@code [rows, cols]}: every group of 4 keeps two positions, of non-zero values. */
    static Tensor twoFour(Arena arena, DType dtype, int rows, int cols, long seed) {
        Tensor w = Tensor.allocate(arena, "w", dtype, rows, cols);
        MemorySegment m = w.data();
        short[] values = table(dtype, seed, 0.02, 0.01);
        long groups = (long) rows * cols / 4;
        int blocks = (int) ((groups + BLOCK - 1) / BLOCK);
        IntStream.range(0, blocks).parallel().forEach(b -> {
            long state = new SplittableRandom(seed * 31 + b).nextLong() | 1;
            long end = Math.min(groups, (b + 1) * BLOCK);
            for (long g = b * BLOCK; g < end; g++) {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                int first = (int) (state & 3);
                int second = (first + 1 + (int) (state >>> 2 & 3) % 3) & 3;
                for (int p = 0; p < 4; p++) {
                    short bits = p == first || p == second ? values[(int) (state >>> (8 + 12 * (p & 1)) & 4095)] : 0;
                    m.set(I16, 8 * g + 2L * p, bits);
                }
            }
        });
        return w;
    }

    /** Standard-normal-like activations: {@code elements} 16-bit values into {@code host}. */
    static void fillActivations(MemorySegment host, DType dtype, long elements, long seed) {
        short[] values = table(dtype, seed, 1.0, 0.0);
        int blocks = (int) ((elements + BLOCK - 1) / BLOCK);
        IntStream.range(0, blocks).parallel().forEach(b -> {
            long end = Math.min(elements, (b + 1) * BLOCK);
            for (long k = b * BLOCK; k < end; k++) {
                host.set(I16, 2 * k, values[(int) (k * 2654435761L >>> 7 & 4095)]);
            }
        });
    }

    /** A 16-bit value of {@code dtype} as a float. */
    static float toFloat(DType dtype, short bits) {
        return dtype == DType.F16 ? Half.f16ToFloat(bits) : Half.bf16ToFloat(bits);
    }

    static short bits(MemorySegment m, long element) {
        return m.get(I16, 2 * element);
    }
}
