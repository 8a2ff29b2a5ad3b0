package dev.prune4j.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearTest {
    private final CpuEngine engine = new CpuEngine(2);

    /** Y = X W^T + b against a double-precision loop, over shapes that exercise every tail of the tiling. */
    @Test
    void matchesADoublePrecisionReference() {
        SplittableRandom random = new SplittableRandom(7);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {4, 16, 2}, {5, 33, 3}, {37, 70, 129}, {64, 384, 65}, {9, 1536, 384}};
        try (Arena arena = Arena.ofShared()) {
            for (int[] s : shapes) {
                int tokens = s[0], in = s[1], out = s[2];
                float[] x = random(random, tokens * in);
                float[] w = random(random, out * in);
                float[] b = random(random, out);
                for (boolean withBias : new boolean[] {true, false}) {
                    Linear linear = new Linear("l", Tensor.ofFloats(arena, "l.weight", DType.F32, w, out, in),
                            withBias ? Tensor.ofFloats(arena, "l.bias", DType.F32, b, out) : null);
                    float[] y = new float[tokens * out];
                    linear.forward(engine, x, tokens, y);
                    for (int t = 0; t < tokens; t++) {
                        for (int o = 0; o < out; o++) {
                            double expected = withBias ? b[o] : 0;
                            double scale = Math.abs(expected);
                            for (int i = 0; i < in; i++) {
                                expected += (double) x[t * in + i] * w[o * in + i];
                                scale += Math.abs((double) x[t * in + i] * w[o * in + i]);
                            }
                            assertEquals(expected, y[t * out + o], 1e-6 * scale + 1e-30,
                                    tokens + "x" + in + "->" + out + " at " + t + "," + o);
                        }
                    }
                }
            }
        }
    }

    @Test
    void swappingTheWeightChangesTheOutput() {
        try (Arena arena = Arena.ofShared()) {
            Linear linear = new Linear("l", Tensor.ofFloats(arena, "w", DType.F32, new float[] {1, 2, 3, 4}, 2, 2), null);
            Linear pruned = linear.withWeight(Tensor.ofFloats(arena, "w2", DType.F32, new float[] {0, 2, 3, 0}, 2, 2));
            float[] y = new float[2];
            pruned.forward(engine, new float[] {1, 1}, 1, y);
            assertEquals(2f, y[0]);
            assertEquals(3f, y[1]);
            assertThrows(IllegalArgumentException.class,
                    () -> linear.withWeight(Tensor.allocate(arena, "w3", DType.F32, 2, 3)));
            assertThrows(IllegalArgumentException.class,
                    () -> new Linear("l", Tensor.allocate(arena, "w", DType.BF16, 2, 2), null));
        }
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }
}
