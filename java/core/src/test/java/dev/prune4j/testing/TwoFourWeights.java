package dev.prune4j.testing;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Random;

/** Test data: random 2:4 weights (with all-zero, one-non-zero and -0.0 groups) and activations. */
public final class TwoFourWeights {
    private TwoFourWeights() {}

    /** A 2:4-valid weight: most groups keep 2 random positions, some 1 or 0; zeros are +0 or -0. */
    public static Tensor weight(Arena arena, String name, DType dtype, int rows, int cols, Random rnd) {
        Tensor w = Tensor.allocate(arena, name, dtype, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < cols / 4; g++) {
                int roll = rnd.nextInt(10);
                int keep = roll == 0 ? 0 : roll == 1 ? 1 : 2;
                int kept = 0;
                while (Integer.bitCount(kept) < keep) {
                    kept |= 1 << rnd.nextInt(4);
                }
                for (int p = 0; p < 4; p++) {
                    long i = (long) r * cols + 4L * g + p;
                    w.setFloat(i, (kept >>> p & 1) != 0 ? nonZero(rnd) : rnd.nextBoolean() ? 0f : -0f);
                }
            }
        }
        return w;
    }

    /** A non-zero value in every dtype: magnitude in [2^-6, 4), either sign. */
    public static float nonZero(Random rnd) {
        float m = (float) Math.scalb(1 + rnd.nextDouble(), rnd.nextInt(8) - 6);
        return rnd.nextBoolean() ? m : -m;
    }

    /** Activations, Gaussian with a few large values. */
    public static Tensor activations(Arena arena, DType dtype, Random rnd, long... shape) {
        Tensor x = Tensor.allocate(arena, "x", dtype, shape);
        for (long i = 0; i < x.numel(); i++) {
            x.setFloat(i, (float) (rnd.nextGaussian() * (rnd.nextInt(50) == 0 ? 30 : 1)));
        }
        return x;
    }

    /** A random bias, or null one time in three. */
    public static Tensor biasOrNull(Arena arena, DType dtype, int out, Random rnd) {
        if (rnd.nextInt(3) == 0) {
            return null;
        }
        Tensor b = Tensor.allocate(arena, "bias", dtype, out);
        for (int i = 0; i < out; i++) {
            b.setFloat(i, (float) rnd.nextGaussian());
        }
        return b;
    }
}
