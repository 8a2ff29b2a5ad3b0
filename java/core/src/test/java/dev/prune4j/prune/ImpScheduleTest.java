package dev.prune4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.engine.Engine;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Iterative magnitude pruning: a quarter of what remains per round, nested masks, rewinding. */
class ImpScheduleTest {
    private static final Engine ENGINE = new CpuEngine(2);

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    @Test
    void roundsPruneAQuarterOfWhatRemainsAndStopAtTheTarget() {
        List<Double> s = ImpSchedule.to(0.9).sparsities();
        assertEquals(0.25, s.get(0), 1e-12);
        assertEquals(1 - 0.75 * 0.75, s.get(1), 1e-12);
        assertEquals(0.9, s.getLast(), 0.0);
        assertEquals(9, s.size(), "0.75^8 = 0.100 > 0.1 remaining, so the ninth round reaches 90 %");
    }

    @ParameterizedTest
    @EnumSource(Scope.class)
    void everyRoundsMaskPrunesASupersetOfThePreviousOne(Scope scope) {
        try (Arena arena = Arena.ofConfined()) {
            List<Tensor> weights = List.of(
                    RandomWeights.tensor(arena, "a", DType.F16, 1, 16, 40),
                    RandomWeights.tensor(arena, "b", DType.F16, 2, 8, 24));
            List<Mask> previous = null;
            for (double sparsity : ImpSchedule.to(0.95).sparsities()) {
                List<Mask> masks = ImpSchedule.round(ENGINE, weights, previous, sparsity, scope);
                for (int i = 0; i < masks.size(); i++) {
                    if (previous != null) {
                        assertTrue(masks.get(i).isSubsetOf(previous.get(i)), "kept weights only shrink");
                    }
                    if (scope == Scope.TENSOR) {
                        assertEquals(PruneCount.of(sparsity, weights.get(i).numel()), masks.get(i).prunedCount());
                    }
                }
                if (scope == Scope.GLOBAL) {
                    long pruned = masks.stream().mapToLong(Mask::prunedCount).sum();
                    assertEquals(PruneCount.of(sparsity, 16 * 40 + 8 * 24), pruned);
                }
                previous = masks;
            }
        }
    }

    @Test
    void rewindingRestoresKeptWeightsAndZeroesPrunedOnes() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor original = Tensor.ofFloats(arena, "w", DType.F32, new float[] {1f, -2f, 3f, -4f}, 2, 2);
            Tensor trained = Tensor.ofFloats(arena, "w", DType.F32, new float[] {9f, 9f, 9f, 9f}, 2, 2);
            Mask keep = Magnitude.prune(ENGINE, original, 0.5, Scope.TENSOR);
            ImpSchedule.rewind(ENGINE, original, keep, trained);
            assertEquals(List.of(0f, 0f, 3f, -4f), List.of(trained.getFloat(0), trained.getFloat(1),
                    trained.getFloat(2), trained.getFloat(3)));
            assertEquals(1f, original.getFloat(0), "the original is read only");
        }
    }
}
