package dev.prune4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.engine.Engine;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Magnitude masks against a brute-force sort on random weights full of ties: exact counts, the
 * lower-index tie-break, and N:M validity, for F32, F16 and BF16.
 */
class MagnitudePropertiesTest {
    private static final Engine ENGINE = new CpuEngine(2);

    @AfterContainer
    static void closeEngine() {
        ENGINE.close();
    }

    @Property(tries = 60)
    void perTensorPrunesExactlyTheSmallest(@ForAll DType dtype, @ForAll @IntRange(min = 1, max = 40) int rows,
            @ForAll @IntRange(min = 1, max = 70) int cols, @ForAll @DoubleRange(min = 0, max = 1) double ratio,
            @ForAll long seed) {
        if (!dtype.prunable()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = RandomWeights.tensor(arena, "w", dtype, seed, rows, cols);
            Mask mask = Magnitude.prune(ENGINE, w, ratio, Scope.TENSOR);
            long k = PruneCount.of(ratio, w.numel());
            assertEquals(k, mask.prunedCount());
            for (BruteForce.Position p : BruteForce.smallest(List.of(w), k)) {
                assertTrue(!mask.isKept(p.index()), "expected weight " + p.index() + " pruned");
            }
        }
    }

    @Property(tries = 60)
    void globalSelectionEqualsSortingTheConcatenation(@ForAll @IntRange(min = 1, max = 4) int tensorCount,
            @ForAll boolean mixedDtypes, @ForAll @DoubleRange(min = 0, max = 1) double ratio, @ForAll long seed) {
        try (Arena arena = Arena.ofConfined()) {
            List<Tensor> tensors = new ArrayList<>();
            DType[] dtypes = {DType.F16, DType.BF16, DType.F32};
            for (int t = 0; t < tensorCount; t++) {
                DType dtype = mixedDtypes ? dtypes[t % 3] : dtypes[(int) Math.floorMod(seed, 3)];
                tensors.add(RandomWeights.tensor(arena, "t" + t, dtype, seed + t, 3 + t * 5, 17 + t));
            }
            List<Mask> masks = Magnitude.pruneGlobal(ENGINE, tensors, null, ratio);
            long total = tensors.stream().mapToLong(Tensor::numel).sum();
            long k = PruneCount.of(ratio, total);
            assertEquals(k, masks.stream().mapToLong(Mask::prunedCount).sum());
            for (BruteForce.Position p : BruteForce.smallest(tensors, k)) {
                assertTrue(!masks.get(p.tensor()).isKept(p.index()),
                        "expected " + tensors.get(p.tensor()).name() + "[" + p.index() + "] pruned");
            }
        }
    }

    @Property(tries = 60)
    void perRowPrunesTheSameCountInEveryRow(@ForAll DType dtype, @ForAll @IntRange(min = 1, max = 20) int rows,
            @ForAll @IntRange(min = 1, max = 90) int cols, @ForAll @DoubleRange(min = 0, max = 1) double ratio,
            @ForAll long seed) {
        if (!dtype.prunable()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = RandomWeights.tensor(arena, "w", dtype, seed, rows, cols);
            Mask mask = Magnitude.prune(ENGINE, w, ratio, Scope.ROW);
            int perRow = (int) PruneCount.of(ratio, cols);
            boolean[] expected = BruteForce.prunedPerRow(w, perRow);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], !mask.isKept(i), "weight " + i);
            }
            assertEquals((long) perRow * rows, mask.prunedCount());
        }
    }

    @Property(tries = 60)
    void nmKeepsTheLargestNOfEveryGroup(@ForAll DType dtype, @ForAll @IntRange(min = 1, max = 20) int rows,
            @ForAll @IntRange(min = 1, max = 8) int groups, @ForAll boolean fourEight, @ForAll long seed) {
        if (!dtype.prunable()) {
            return;
        }
        NmPattern pattern = fourEight ? new NmPattern(4, 8) : NmPattern.TWO_FOUR;
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = RandomWeights.tensor(arena, "w", dtype, seed, rows, groups * pattern.m());
            Mask mask = Magnitude.pruneNm(ENGINE, w, pattern);
            boolean[] expected = BruteForce.keptNm(w, pattern.n(), pattern.m());
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], mask.isKept(i), "weight " + i);
            }
            for (int g = 0; g < expected.length; g += pattern.m()) {
                int kept = 0;
                for (int j = 0; j < pattern.m(); j++) {
                    kept += mask.isKept(g + j) ? 1 : 0;
                }
                assertEquals(pattern.n(), kept, "group at " + g);
            }
        }
    }
}
