package dev.prune4j.ria;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.PruneCount;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.testing.SyntheticLayer;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RiaTest {
    private static final CpuEngine engine = new CpuEngine(2);

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static ActivationStats norms(Arena arena, DType dtype, int in, long seed) {
        ActivationStats stats = ActivationStats.create(arena, "w", in);
        stats.add(engine, SyntheticLayer.inputs(arena, "x", dtype, 80, in, 3, 25, seed));
        return stats;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void masksAreThoseOfThePaperFormulaInDouble(DType dtype) {
        try (Arena arena = Arena.ofShared()) {
            Tensor w = SyntheticLayer.weight(arena, "w", dtype, 20, 64, 31);
            ActivationStats stats = norms(arena, dtype, 64, 32);
            double[][] wd = new double[20][64];
            for (int i = 0; i < 20; i++) {
                for (int j = 0; j < 64; j++) {
                    wd[i][j] = w.getFloat(i * 64L + j);
                }
            }
            double[] normSq = new double[64];
            for (int j = 0; j < 64; j++) {
                normSq[j] = stats.normSq().getFloat(j);
            }
            for (double a : new double[] {0.5, 1.0, 0.0}) {
                double[][] s = RiaReference.scores(wd, normSq, stats.tokens(), a);
                Tensor scores = Ria.scores(engine, w, stats, new Ria.Options(a), arena);
                for (int k = 0; k < 20 * 64; k++) {
                    assertEquals(s[k / 64][k % 64], scores.getFloat(k), 1e-6 * s[k / 64][k % 64], "score " + k);
                }
                for (PruneSpec spec : List.of(PruneSpec.perRow(0.5), PruneSpec.perTensor(0.37), PruneSpec.nm(2, 4),
                        PruneSpec.nm(4, 8), PruneSpec.perRow(0.9))) {
                    boolean[] keep = RiaReference.keep(s, spec);
                    Mask mask = Ria.mask(engine, w, stats, spec, new Ria.Options(a));
                    for (int k = 0; k < keep.length; k++) {
                        assertEquals(keep[k], mask.isKept(k), "a = " + a + ", " + spec + ", weight " + k);
                    }
                }
            }
        }
    }

    @Test
    void scoresOfASmallLayerByHand() {
        try (Arena arena = Arena.ofShared()) {
            // |W| = [[1, 3], [2, 2]]: row sums 4, 4; column sums 3, 5; RMS of the channels 3 and 1.
            Tensor w = Tensor.ofFloats(arena, "w", DType.F32, new float[] {-1f, 3f, 2f, -2f}, 2, 2);
            Tensor normSq = Tensor.ofFloats(arena, "n", DType.F32, new float[] {36f, 4f}, 2);
            Tensor s = Ria.scores(engine, w, ActivationStats.of(normSq, 4), new Ria.Options(1), arena);
            assertEquals((float) ((1 / 3.0 + 1 / 4.0) * 3), s.getFloat(0));
            assertEquals((float) (3 / 5.0 + 3 / 4.0), s.getFloat(1));
            assertEquals((float) ((2 / 3.0 + 2 / 4.0) * 3), s.getFloat(2));
            assertEquals((float) (2 / 5.0 + 2 / 4.0), s.getFloat(3));
            Tensor half = Ria.scores(engine, w, ActivationStats.of(normSq, 4), Ria.Options.DEFAULT, arena);
            assertEquals((float) ((1 / 3.0 + 1 / 4.0) * Math.sqrt(3)), half.getFloat(0), "a = 0.5: sqrt of the RMS");
        }
    }

    @Test
    void aDeadRowOrChannelScoresZeroNotNan() {
        try (Arena arena = Arena.ofShared()) {
            Tensor w = Tensor.ofFloats(arena, "w", DType.F32, new float[] {0f, 0f, 0f, 0f, 1f, 2f, 0f, 3f, 4f}, 3, 3);
            Tensor normSq = Tensor.ofFloats(arena, "n", DType.F32, new float[] {1f, 1f, 0f}, 3);
            Tensor s = Ria.scores(engine, w, ActivationStats.of(normSq, 1), Ria.Options.DEFAULT, arena);
            for (int k = 0; k < 9; k++) {
                assertTrue(s.getFloat(k) >= 0 && !Float.isNaN(s.getFloat(k)), "score " + k + " = " + s.getFloat(k));
            }
            assertEquals(0f, s.getFloat(5), "a silent channel scores 0");
        }
    }

    @Test
    void countsAreExactAndNmGroupsValidOnRandomShapes() {
        Random rnd = new Random(5);
        try (Arena arena = Arena.ofShared()) {
            for (int trial = 0; trial < 12; trial++) {
                int rows = 1 + rnd.nextInt(30);
                int cols = 8 * (1 + rnd.nextInt(12));
                double ratio = rnd.nextInt(101) / 100.0;
                DType dtype = List.of(DType.F32, DType.F16, DType.BF16).get(trial % 3);
                Tensor w = SyntheticLayer.weight(arena, "w", dtype, rows, cols, trial);
                ActivationStats stats = norms(arena, dtype, cols, trial + 100);
                RiaPruner ria = new RiaPruner();
                LayerPruneResult perTensor = ria.prune(engine, w, stats, PruneSpec.perTensor(ratio), arena);
                assertEquals(PruneCount.of(ratio, (long) rows * cols), perTensor.mask().prunedCount(), rows + "x" + cols);
                LayerPruneResult perRow = ria.prune(engine, w, stats, PruneSpec.perRow(ratio), arena);
                LayerPruneResult nm = ria.prune(engine, w, stats, PruneSpec.nm(4, 8), arena);
                for (int r = 0; r < rows; r++) {
                    int pruned = 0;
                    for (int j = 0; j < cols; j++) {
                        long i = (long) r * cols + j;
                        pruned += perRow.mask().isKept(i) ? 0 : 1;
                        assertEquals(perRow.mask().isKept(i) ? w.getFloat(i) : 0f, perRow.weights().getFloat(i));
                    }
                    assertEquals(PruneCount.of(ratio, cols), pruned, "row " + r);
                    for (int g = 0; g < cols; g += 8) {
                        int kept = 0;
                        for (int j = g; j < g + 8; j++) {
                            kept += nm.mask().isKept((long) r * cols + j) ? 1 : 0;
                        }
                        assertEquals(4, kept, "row " + r + " group " + g);
                    }
                }
                assertEquals(dtype, perRow.weights().dtype());
            }
        }
    }

    @Test
    void theDefaultComparesAcrossTheTensorAsTheReference() {
        assertEquals(PruneSpec.perTensor(0.5), new RiaPruner().defaultSpec(0.5));
        assertEquals("ria", new RiaPruner().name());
    }

    @Test
    void badInputIsOneLineNamingTheWeight() {
        try (Arena arena = Arena.ofShared()) {
            Tensor w = SyntheticLayer.weight(arena, "model.layers.0.mlp.up_proj.weight", DType.BF16, 4, 16, 1);
            ActivationStats stats = norms(arena, DType.F32, 12, 2);
            String m = assertThrows(IllegalArgumentException.class,
                    () -> Ria.mask(engine, w, stats, PruneSpec.perRow(0.5), Ria.Options.DEFAULT)).getMessage();
            assertEquals("weight 'model.layers.0.mlp.up_proj.weight' [4, 16] has 16 input features, its calibration"
                    + " statistics 12", m);
            ActivationStats fits = norms(arena, DType.F32, 16, 2);
            m = assertThrows(IllegalArgumentException.class,
                    () -> Ria.mask(engine, w, fits, PruneSpec.nm(2, 3), Ria.Options.DEFAULT)).getMessage();
            assertTrue(m.startsWith("tensor 'model.layers.0.mlp.up_proj.weight' [4, 16]: row length 16"), m);
            m = assertThrows(IllegalArgumentException.class,
                    () -> Ria.mask(engine, w, fits, PruneSpec.global(0.5), Ria.Options.DEFAULT)).getMessage();
            assertTrue(m.contains("RIA compares within a row or a tensor"), m);
            m = assertThrows(IllegalArgumentException.class, () -> new Ria.Options(Double.NaN)).getMessage();
            assertEquals("RIA's activation exponent must be a finite number >= 0, got NaN", m);
        }
    }
}
