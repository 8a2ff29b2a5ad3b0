package dev.prune4j.testing;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Random;

/**
 * Test data: a random linear layer and calibration inputs shaped like real LLM activations, where a
 * few input channels carry values tens of times larger than the rest.
 */
public final class SyntheticLayer {
    private SyntheticLayer() {}

    public static Tensor weight(Arena arena, String name, DType dtype, int out, int in, long seed) {
        Random rnd = new Random(seed);
        Tensor w = Tensor.allocate(arena, name, dtype, out, in);
        for (long i = 0; i < w.numel(); i++) {
            w.setFloat(i, (float) (rnd.nextGaussian() * 0.05));
        }
        return w;
    }

    /** Inputs {@code [tokens, in]}: unit Gaussian channels with mildly varying scales, plus {@code outliers} channels scaled by {@code outlierScale}. */
    public static Tensor inputs(Arena arena, String name, DType dtype, int tokens, int in, int outliers,
                                double outlierScale, long seed) {
        Random rnd = new Random(seed);
        double[] scale = new double[in];
        for (int j = 0; j < in; j++) {
            scale[j] = 0.5 + rnd.nextDouble();
        }
        for (int o = 0; o < outliers; o++) {
            scale[rnd.nextInt(in)] = outlierScale;
        }
        Tensor x = Tensor.allocate(arena, name, dtype, tokens, in);
        for (int t = 0; t < tokens; t++) {
            // A shared per-token factor correlates the channels, as real activations are.
            double common = rnd.nextGaussian();
            for (int j = 0; j < in; j++) {
                x.setFloat((long) t * in + j, (float) (scale[j] * (0.8 * rnd.nextGaussian() + 0.6 * common)));
            }
        }
        return x;
    }

    /** {@code X^T X} in double from the tensor's own (rounded) values. */
    public static double[][] gram(Tensor x) {
        int tokens = (int) x.rows();
        int in = (int) x.cols();
        double[][] g = new double[in][in];
        double[] row = new double[in];
        for (int t = 0; t < tokens; t++) {
            for (int j = 0; j < in; j++) {
                row[j] = x.getFloat((long) t * in + j);
            }
            for (int a = 0; a < in; a++) {
                for (int b = 0; b < in; b++) {
                    g[a][b] += row[a] * row[b];
                }
            }
        }
        return g;
    }
}
