package dev.prune4j.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.engine.Engine;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Magnitude pruning by example. */
class MagnitudeTest {
    private static final Engine ENGINE = new CpuEngine(2);

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    @Test
    void halfOfATensorGoesSmallestFirstWithTiesToTheLowerIndex() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.ofFloats(arena, "layer.weight", DType.F32,
                    new float[] {0.3f, -0.1f, 0.1f, 2f, -0.1f, 0.5f}, 2, 3);
            Mask keep = Magnitude.prune(ENGINE, w, 0.5, Scope.TENSOR);
            // |w| sorted: 0.1 (index 1), 0.1 (2), 0.1 (4), 0.3, 0.5, 2: three go, all of the 0.1s.
            assertEquals("Mask[2, 3] kept 3/6", keep.toString());
            assertFalse(keep.isKept(1));
            assertFalse(keep.isKept(2));
            assertFalse(keep.isKept(4));

            Mask third = Magnitude.prune(ENGINE, w, 0.34, Scope.TENSOR);
            // floor(0.34 * 6) = 2: of the three tied 0.1s the lower indices 1 and 2 go.
            assertFalse(third.isKept(1));
            assertFalse(third.isKept(2));
            assertTrue(third.isKept(4));
        }
    }

    @Test
    void minusZeroAndZeroAreEqualMagnitudes() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.ofFloats(arena, "w", DType.F16, new float[] {1f, -0f, 0f, 2f}, 1, 4);
            Mask keep = Magnitude.prune(ENGINE, w, 0.25, Scope.TENSOR);
            assertFalse(keep.isKept(1), "-0.0 comes first: same magnitude as +0.0, lower index");
            assertTrue(keep.isKept(2));
        }
    }

    @Test
    void globalScopeUsesOneThresholdForAllTensors() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor small = Tensor.ofFloats(arena, "a", DType.BF16, new float[] {0.01f, 0.02f, 0.03f, 0.04f}, 2, 2);
            Tensor large = Tensor.ofFloats(arena, "b", DType.BF16, new float[] {1f, 2f, 3f, 4f}, 2, 2);
            List<Mask> masks = Magnitude.pruneGlobal(ENGINE, List.of(small, large), null, 0.5);
            assertEquals(0, masks.get(0).count(), "every weight of the small tensor goes");
            assertEquals(4, masks.get(1).count(), "the large tensor is untouched");
        }
    }

    @Test
    void nanWeightsAreRejectedWithTheTensorsName() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.ofFloats(arena, "model.layers.3.mlp.up_proj.weight", DType.F32,
                    new float[] {1f, Float.NaN, 0f, 2f}, 2, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Magnitude.prune(ENGINE, w, 0.5, Scope.TENSOR));
            assertTrue(e.getMessage().contains("model.layers.3.mlp.up_proj.weight"), e.getMessage());
            assertTrue(e.getMessage().contains("row 0, column 1"), e.getMessage());
        }
    }

    @Test
    void nmNeedsRowsThatDivideIntoGroups() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.allocate(arena, "w", DType.F16, 2, 6);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Magnitude.pruneNm(ENGINE, w, NmPattern.TWO_FOUR));
            assertTrue(e.getMessage().contains("'w' [2, 6]"), e.getMessage());
        }
    }

    @Test
    void ratiosAreReadAsTheirDecimalForm() {
        assertEquals(29, PruneCount.of(0.29, 100), "0.29 * 100 is 28.999999999999996 in binary");
        assertEquals(0, PruneCount.of(0.0, 12345));
        assertEquals(12345, PruneCount.of(1.0, 12345));
        assertEquals(3_298_534_883L, PruneCount.of(0.5, 6_597_069_766L));
        assertThrows(IllegalArgumentException.class, () -> PruneCount.of(1.5, 10));
        assertThrows(IllegalArgumentException.class, () -> PruneCount.of(Double.NaN, 10));
    }
}
