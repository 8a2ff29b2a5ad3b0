package dev.prune4j.prune;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Random;

/** Test weights: heavy-tailed values with many exact ties and zeros, in any dtype. */
final class RandomWeights {
    private RandomWeights() {}

    static Tensor tensor(Arena arena, String name, DType dtype, long seed, int rows, int cols) {
        Random rnd = new Random(seed);
        Tensor t = Tensor.allocate(arena, name, dtype, rows, cols);
        // A small palette makes ties common; the rest are Gaussian with a few large outliers.
        float[] palette = {0f, -0f, 0.5f, -0.5f, 0.25f, 1e-3f, -1e-3f};
        for (long i = 0; i < t.numel(); i++) {
            float v;
            int pick = rnd.nextInt(10);
            if (pick < 3) {
                v = palette[rnd.nextInt(palette.length)];
            } else if (pick == 9) {
                v = (float) (rnd.nextGaussian() * 20);
            } else {
                v = (float) (rnd.nextGaussian() * 0.05);
            }
            t.setFloat(i, v);
        }
        return t;
    }
}
