package dev.prune4j.wanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.testing.SyntheticLayer;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.engine.Engine;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.MagnitudeSelection;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WandaTest {
    private final Engine engine = new CpuEngine(2);

    /** Statistics in which every channel has the same mean square (4, so sqrt is exact). */
    private static ActivationStats equalNorms(Arena arena, int in, long tokens) {
        Tensor normSq = Tensor.allocate(arena, "equal.act_norm_sq", DType.F32, in);
        for (int j = 0; j < in; j++) {
            normSq.setFloat(j, 4f * tokens);
        }
        return ActivationStats.of(normSq, tokens);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void equalActivationNormsReduceWandaToMagnitudePruning(DType dtype) {
        try (Arena arena = Arena.ofShared()) {
            Tensor w = SyntheticLayer.weight(arena, "w", dtype, 24, 64, 21);
            // Force ties, so that the tie-break is compared too.
            w.setFloat(3, 0.01f);
            w.setFloat(5, -0.01f);
            ActivationStats stats = equalNorms(arena, 64, 100);
            assertEquals(engine.pruneSmallestPerRow(w, null, 32), Wanda.mask(engine, w, stats, PruneSpec.perRow(0.5)));
            assertEquals(MagnitudeSelection.pruneSmallest(engine, List.of(w), null, (long) Math.floor(0.37 * w.numel())).getFirst(),
                    Wanda.mask(engine, w, stats, PruneSpec.perTensor(0.37)));
            assertEquals(engine.pruneNm(w, 2, 4), Wanda.mask(engine, w, stats, PruneSpec.nm(2, 4)));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void exactCountsAndValidNmPatterns(DType dtype) {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = SyntheticLayer.inputs(arena, "x", dtype, 64, 48, 2, 25, 22);
            Tensor w = SyntheticLayer.weight(arena, "w", dtype, 10, 48, 23);
            ActivationStats stats = ActivationStats.create(arena, "w", 48);
            stats.add(engine, x);
            LayerPruneResult perRow = Wanda.prune(engine, w, stats, PruneSpec.perRow(0.3), null, arena);
            for (int r = 0; r < 10; r++) {
                int pruned = 0;
                for (int j = 0; j < 48; j++) {
                    if (!perRow.mask().isKept(r * 48L + j)) {
                        pruned++;
                        assertEquals(0f, perRow.weights().getFloat(r * 48L + j));
                    } else {
                        assertEquals(w.getFloat(r * 48L + j), perRow.weights().getFloat(r * 48L + j));
                    }
                }
                assertEquals(14, pruned, "floor(0.3 * 48) in row " + r);
            }
            assertEquals(dtype, perRow.weights().dtype());
            assertEquals((long) Math.floor(0.61 * 480),
                    Wanda.prune(engine, w, stats, PruneSpec.perTensor(0.61), null, arena).mask().prunedCount());
            Mask nm = Wanda.prune(engine, w, stats, PruneSpec.nm(2, 4), null, arena).mask();
            for (long g = 0; g < 480 / 4; g++) {
                int kept = 0;
                for (int j = 0; j < 4; j++) {
                    kept += nm.isKept(g * 4 + j) ? 1 : 0;
                }
                assertEquals(2, kept, "group " + g);
            }
        }
    }

    @Test
    void scoresAreMagnitudeTimesRootMeanSquareOfTheChannel() {
        try (Arena arena = Arena.ofShared()) {
            Tensor w = Tensor.ofFloats(arena, "w", DType.F32, new float[] {-2f, 1f, 0.5f, 3f}, 2, 2);
            Tensor normSq = Tensor.ofFloats(arena, "n", DType.F32, new float[] {36f, 4f}, 2);
            Tensor s = Wanda.scores(engine, w, ActivationStats.of(normSq, 4), arena);
            assertEquals(6f, s.getFloat(0));  // |-2| * sqrt(36/4)
            assertEquals(1f, s.getFloat(1));  // 1 * sqrt(4/4)
            assertEquals(1.5f, s.getFloat(2));
            assertEquals(3f, s.getFloat(3));
            Mask m = Wanda.mask(engine, w, ActivationStats.of(normSq, 4), PruneSpec.perRow(0.5));
            assertTrue(m.isKept(0) && !m.isKept(1) && !m.isKept(2) && m.isKept(3));
        }
    }
}
