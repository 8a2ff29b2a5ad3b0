package dev.prune4j.owl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.testing.SyntheticLayer;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class OwlAllocationTest {
    private static final CpuEngine engine = new CpuEngine(2);

    @AfterAll
    static void stop() {
        engine.close();
    }

    /** {@code layers} decoder layers of two matrices each; layer l's inputs have {@code 1 + 2 l} loud channels. */
    record Model(List<List<Tensor>> weights, List<List<ActivationStats>> stats) {
        static Model of(Arena arena, DType dtype, int layers) {
            List<List<Tensor>> w = new ArrayList<>();
            List<List<ActivationStats>> s = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                String p = "model.layers." + l + ".";
                Tensor x = SyntheticLayer.inputs(arena, "x", dtype, 64, 48, 1 + 2 * l, 12, 100 + l);
                Tensor y = SyntheticLayer.inputs(arena, "y", dtype, 64, 96, 1, 12, 200 + l);
                List<Tensor> ws = List.of(SyntheticLayer.weight(arena, p + "self_attn.q_proj.weight", dtype, 24, 48, l),
                        SyntheticLayer.weight(arena, p + "mlp.down_proj.weight", dtype, 12, 96, 50 + l));
                ActivationStats sx = ActivationStats.create(arena, "x", 48);
                sx.add(engine, x);
                ActivationStats sy = ActivationStats.create(arena, "y", 96);
                sy.add(engine, y);
                w.add(ws);
                s.add(List.of(sx, sy));
            }
            return new Model(w, s);
        }
    }

    @Test
    void outlierRatiosAndSparsitiesAreThoseOfThePaperAndTheReferenceCode() {
        try (Arena arena = Arena.ofShared()) {
            Model model = Model.of(arena, DType.F32, 5);
            double[] expectedD = new double[5];
            for (int l = 0; l < 5; l++) {
                double[][][] w = new double[2][][];
                double[][] rms = new double[2][];
                for (int t = 0; t < 2; t++) {
                    Tensor wt = model.weights().get(l).get(t);
                    ActivationStats st = model.stats().get(l).get(t);
                    w[t] = new double[(int) wt.rows()][(int) wt.cols()];
                    rms[t] = new double[(int) wt.cols()];
                    for (int j = 0; j < wt.cols(); j++) {
                        rms[t][j] = Math.sqrt(st.normSq().getFloat(j) / (double) st.tokens());
                        for (int i = 0; i < wt.rows(); i++) {
                            w[t][i][j] = wt.getFloat(i * wt.cols() + j);
                        }
                    }
                }
                expectedD[l] = OwlReference.outlierRatio(w, rms, 5);
            }
            double[] d = OwlAllocation.outlierRatios(engine, model.weights(), model.stats(), OwlOptions.DEFAULT);
            assertArrayEquals(expectedD, d, 0.0, "exact counts of the same comparisons");
            assertTrue(d[4] > d[0], "more loud channels, more outliers: " + java.util.Arrays.toString(d));

            double[] r = OwlAllocation.ratios(engine, model.weights(), model.stats(), 0.7, OwlOptions.DEFAULT);
            assertArrayEquals(OwlReference.sparsities(expectedD, 0.7, 0.08), r, 1e-12);
            assertEquals(0.7, mean(r), 1e-12);
            double min = java.util.Arrays.stream(r).min().orElseThrow();
            double max = java.util.Arrays.stream(r).max().orElseThrow();
            assertEquals(0.16, max - min, 1e-12, "the spread is 2 lambda");
        }
    }

    @Test
    void theWeightedMeanIsExactlyTheRatioWhateverTheLayerSizes() {
        double[] d = {0.01, 0.03, 0.002, 0.02};
        long[] sizes = {100, 4000, 250, 1000};
        for (double ratio : new double[] {0.5, 0.7, 0.05, 0.01, 0.97, 0.0, 1.0}) {
            double[] r = OwlAllocation.ratios(d, sizes, ratio, 0.08);
            double weighted = 0;
            for (int l = 0; l < r.length; l++) {
                assertTrue(r[l] >= 0 && r[l] <= 1, ratio + ": layer " + l + " at " + r[l]);
                weighted += r[l] * sizes[l];
            }
            assertEquals(ratio, weighted / 5350, 1e-12, "ratio " + ratio);
            assertTrue(r[2] >= r[0] && r[0] >= r[3] && r[3] >= r[1], "fewer outliers, more pruning");
        }
        double[] small = OwlAllocation.ratios(d, sizes, 0.01, 0.08);
        assertEquals(0.0, java.util.Arrays.stream(small).min().orElseThrow(), 1e-15,
                "a spread that would go below 0 shrinks until its lowest layer is at 0");
    }

    @Test
    void equalOutlierRatiosLeaveEveryLayerAtTheRatio() {
        assertArrayEquals(new double[] {0.6, 0.6, 0.6}, OwlAllocation.ratios(new double[] {0.02, 0.02, 0.02},
                new long[] {1, 2, 3}, 0.6, 0.08));
        assertArrayEquals(new double[] {0.6}, OwlAllocation.ratios(new double[] {0.3}, new long[] {7}, 0.6, 0.08));
    }

    @Test
    void nmFollowsTheReferencesStructuredVariant() {
        double[] d = {0.01, 0.04, 0.02, 0.03};
        long[] sizes = {1, 1, 1, 1};
        assertArrayEquals(new int[] {2, 2, 2, 2}, OwlAllocation.keptPerGroup(d, sizes, NmPattern.TWO_FOUR, 0.08),
                "a lambda below 0.5 rounds to the base pattern everywhere");
        // s = (0, 2, 2/3, 4/3) - 1 = (-1, 1, -1/3, 1/3): rint -> (-1, 1, 0, 0).
        assertArrayEquals(new int[] {3, 5, 4, 4}, OwlAllocation.keptPerGroup(d, sizes, new NmPattern(4, 8), 2));
        assertArrayEquals(new int[] {1, 3, 2, 2}, OwlAllocation.keptPerGroup(d, sizes, NmPattern.TWO_FOUR, 2));
        assertEquals(List.of(PruneSpec.nm(1, 4), PruneSpec.nm(3, 4), PruneSpec.nm(2, 4), PruneSpec.nm(2, 4)),
                OwlAllocation.layerSpecs(d, sizes, PruneSpec.nm(2, 4), OwlOptions.DEFAULT.withLambda(2)));
    }

    @Test
    void badInputIsOneClearLine() {
        try (Arena arena = Arena.ofShared()) {
            Model model = Model.of(arena, DType.F32, 2);
            List<List<ActivationStats>> swapped = List.of(List.of(model.stats().get(0).get(1),
                    model.stats().get(0).get(0)), model.stats().get(1));
            String m = assertThrows(IllegalArgumentException.class,
                    () -> OwlAllocation.outlierRatios(engine, model.weights(), swapped, OwlOptions.DEFAULT)).getMessage();
            assertEquals("weight 'model.layers.0.self_attn.q_proj.weight' [24, 48] has 48 input features, its"
                    + " calibration statistics 96", m);
            m = assertThrows(IllegalArgumentException.class, () -> OwlAllocation.outlierRatios(engine, model.weights(),
                    model.stats().subList(0, 1), OwlOptions.DEFAULT)).getMessage();
            assertEquals("OWL: 2 layers of weights but 1 of activation statistics", m);
            assertThrows(IllegalArgumentException.class, () -> OwlAllocation.layerSpecs(new double[] {0.1},
                    new long[] {1}, PruneSpec.global(0.5), OwlOptions.DEFAULT));
            m = assertThrows(IllegalArgumentException.class, () -> new OwlOptions(0.08, 0)).getMessage();
            assertEquals("OWL M must be a finite number > 0, got 0.0", m);
        }
    }

    private static double mean(double[] r) {
        double s = 0;
        for (double x : r) {
            s += x;
        }
        return s / r.length;
    }
}
