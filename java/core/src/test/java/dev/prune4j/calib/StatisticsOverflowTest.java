package dev.prune4j.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Finite inputs whose squares overflow F32 (3e38) are an error naming the inputs, after the batch
 * that overflows: an infinite norm would otherwise make every Wanda score of a row tie, and the
 * mask prune the first half of each row by index.
 */
class StatisticsOverflowTest {
    private final Engine engine = new CpuEngine(2);

    @Test
    void normsThatOverflowNameTheInputsAndTheChannel() {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.ofFloats(arena, "layer.inputs", DType.F32, new float[] {1, 3e38f, 2, 1}, 2, 2);
            ActivationStats s = ActivationStats.create(arena, "layer", 2);
            var e = assertThrows(IllegalArgumentException.class, () -> s.add(engine, x));
            assertTrue(e.getMessage().startsWith("inputs 'layer.inputs': the sum of squares of input channel 1 is Infinity"),
                    e.getMessage());
        }
    }

    @Test
    void anOverflowAcrossBatchesIsCaughtAtTheBatchThatOverflows() {
        try (Arena arena = Arena.ofShared()) {
            Tensor big = Tensor.ofFloats(arena, "batch", DType.F32, new float[] {1.5e19f}, 1, 1);
            ActivationStats s = ActivationStats.create(arena, "layer", 1);
            s.add(engine, big); // 2.25e38: still finite
            assertEquals(1, s.tokens());
            assertThrows(IllegalArgumentException.class, () -> s.add(engine, big));
        }
    }

    @Test
    void aHessianThatOverflowsNamesTheInputs() {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.ofFloats(arena, "layer.inputs", DType.F32, new float[] {3e38f, 1, 1, 1}, 2, 2);
            HessianAccumulator h = HessianAccumulator.create(arena, "layer", 2);
            var e = assertThrows(IllegalArgumentException.class, () -> h.add(engine, x));
            assertTrue(e.getMessage().startsWith("inputs 'layer.inputs': the Hessian's diagonal entry 0 is Infinity"),
                    e.getMessage());
        }
    }

    @Test
    void aCalibrationFileOfHugeInputsIsRefusedForBothMethods() {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.ofFloats(arena, "w.inputs", DType.F32, new float[] {3e38f, 3e38f, 3e38f, 3e38f}, 2, 2);
            CalibrationFile file = CalibrationFile.of(Map.of("w.inputs", x));
            assertThrows(IllegalArgumentException.class, () -> file.activationStats(engine, arena, "w", 2));
            assertThrows(IllegalArgumentException.class, () -> file.hessian(engine, arena, "w", 2));
        }
    }

    @Test
    void largeButRepresentableInputsStillWork() {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = Tensor.ofFloats(arena, "w.inputs", DType.F32, new float[] {1e18f, -1e18f}, 1, 2);
            ActivationStats s = ActivationStats.create(arena, "w", 2);
            s.add(engine, x);
            assertEquals(1e36f, s.normSq().getFloat(0), 1e30f);
        }
    }
}
