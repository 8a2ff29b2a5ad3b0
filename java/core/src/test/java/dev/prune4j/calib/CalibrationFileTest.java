package dev.prune4j.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.testing.PartialEngine;
import dev.prune4j.testing.SyntheticLayer;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Kernel;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CalibrationFileTest {
    private final Engine engine = new CpuEngine(1);
    private static final String W = "model.layers.0.mlp.up_proj.weight";

    private static Tensor i64Scalar(Arena arena, String name, long value) {
        Tensor t = Tensor.allocate(arena, name, DType.I64);
        t.data().set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, value);
        return t;
    }

    @Test
    void rawInputsGiveTheSameStatisticsAsReducedOnes() {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = SyntheticLayer.inputs(arena, W + ".inputs", DType.BF16, 64, 16, 1, 10, 5);
            CalibrationFile raw = CalibrationFile.of(Map.of(W + ".inputs", x));
            ActivationStats fromRaw = raw.activationStats(engine, arena, W, 16);
            HessianAccumulator hFromRaw = raw.hessian(engine, arena, W, 16);

            Map<String, Tensor> reduced = new HashMap<>();
            reduced.put(W + ".act_norm_sq", fromRaw.normSq());
            reduced.put(W + ".act_count", i64Scalar(arena, W + ".act_count", 64));
            reduced.put(W + ".hessian", hFromRaw.hessian());
            reduced.put(W + ".hessian_count", Tensor.ofFloats(arena, W + ".hessian_count", DType.F32, new float[] {64}, 1));
            CalibrationFile file = CalibrationFile.of(reduced);
            ActivationStats stats = file.activationStats(engine, arena, W, 16);
            HessianAccumulator h = file.hessian(engine, arena, W, 16);
            assertEquals(64, stats.tokens());
            assertEquals(64, h.tokens());
            assertEquals(fromRaw.normSq().getFloat(3), stats.normSq().getFloat(3));
            assertEquals(hFromRaw.hessian().getFloat(17), h.hessian().getFloat(17));
        }
    }

    @Test
    void anEngineWithoutTheStatisticsKernelsGathersThemOnTheCpu() {
        try (Arena arena = Arena.ofShared(); Engine masksOnly = new PartialEngine(EnumSet.of(Kernel.PRUNE_NM))) {
            Tensor x = SyntheticLayer.inputs(arena, W + ".inputs", DType.F16, 32, 8, 1, 10, 3);
            CalibrationFile raw = CalibrationFile.of(Map.of(W + ".inputs", x));
            HessianAccumulator expected = raw.hessian(engine, arena, W, 8);
            HessianAccumulator moved = raw.hessian(masksOnly, arena, W, 8);
            assertEquals(32, moved.tokens());
            assertTrue(moved.hessian().isHost());
            for (long i = 0; i < 64; i++) {
                assertEquals(expected.hessian().getFloat(i), moved.hessian().getFloat(i));
            }
            assertEquals(raw.activationStats(engine, arena, W, 8).normSq().getFloat(5),
                    raw.activationStats(masksOnly, arena, W, 8).normSq().getFloat(5));
        }
    }

    @Test
    void reducedStatisticsReadBackAsTheyWereComputed() {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = SyntheticLayer.inputs(arena, W + ".inputs", DType.F16, 40, 12, 1, 10, 9);
            Map<String, Tensor> reduced = CalibrationFile.of(Map.of(W + ".inputs", x)).reduce(engine, arena, W, 12);
            assertEquals(java.util.Set.of(W + ".act_norm_sq", W + ".act_count", W + ".hessian", W + ".hessian_count"),
                    reduced.keySet());
            CalibrationFile file = CalibrationFile.of(reduced);
            assertEquals(40, file.activationStats(engine, arena, W, 12).tokens());
            HessianAccumulator h = file.hessian(engine, arena, W, 12);
            assertEquals(40, h.tokens());
            double expected = 0;
            for (int t = 0; t < 40; t++) {
                expected += (double) x.getFloat(t * 12L + 2) * x.getFloat(t * 12L + 3);
            }
            assertEquals(2.0 / 40 * expected, h.hessian().getFloat(2 * 12 + 3), 1e-5);
        }
    }

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void badFilesFailWithTheTensorNamed() {
        try (Arena arena = Arena.ofShared()) {
            CalibrationFile empty = CalibrationFile.of(Map.of());
            assertTrue(error(() -> empty.hessian(engine, arena, W, 16)).contains("'" + W + "'"));

            Tensor wrongShape = Tensor.allocate(arena, W + ".hessian", DType.F32, 16, 15);
            CalibrationFile shape = CalibrationFile.of(Map.of(W + ".hessian", wrongShape,
                    W + ".hessian_count", i64Scalar(arena, W + ".hessian_count", 8)));
            assertTrue(error(() -> shape.hessian(engine, arena, W, 16)).contains(W + ".hessian' has shape [16, 15]"));

            Tensor nan = Tensor.allocate(arena, W + ".act_norm_sq", DType.F32, 16);
            nan.setFloat(5, Float.NaN);
            CalibrationFile nanFile = CalibrationFile.of(Map.of(W + ".act_norm_sq", nan,
                    W + ".act_count", i64Scalar(arena, W + ".act_count", 8)));
            assertTrue(error(() -> nanFile.activationStats(engine, arena, W, 16)).contains(W + ".act_norm_sq' holds NaN"));

            Tensor inf = Tensor.allocate(arena, W + ".inputs", DType.F16, 4, 16);
            inf.setFloat(7, Float.POSITIVE_INFINITY);
            CalibrationFile infFile = CalibrationFile.of(Map.of(W + ".inputs", inf));
            assertTrue(error(() -> infFile.hessian(engine, arena, W, 16)).contains(W + ".inputs' holds Infinity"));

            Tensor ok = Tensor.allocate(arena, W + ".act_norm_sq", DType.F32, 16);
            CalibrationFile noCount = CalibrationFile.of(Map.of(W + ".act_norm_sq", ok));
            assertTrue(error(() -> noCount.activationStats(engine, arena, W, 16)).contains(W + ".act_count"));

            CalibrationFile badCount = CalibrationFile.of(Map.of(W + ".act_norm_sq", ok,
                    W + ".act_count", Tensor.ofFloats(arena, W + ".act_count", DType.F32, new float[] {2.5f})));
            assertTrue(error(() -> badCount.activationStats(engine, arena, W, 16)).contains(W + ".act_count' holds 2.5"));

            CalibrationFile twoCounts = CalibrationFile.of(Map.of(W + ".act_norm_sq", ok,
                    W + ".act_count", Tensor.ofFloats(arena, W + ".act_count", DType.F32, new float[] {2, 2}, 2)));
            assertTrue(error(() -> twoCounts.activationStats(engine, arena, W, 16)).contains("expected a scalar or [1]"));
        }
    }
}
