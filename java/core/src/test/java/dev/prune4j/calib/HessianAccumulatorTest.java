package dev.prune4j.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.prune4j.testing.SyntheticLayer;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.engine.Engine;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HessianAccumulatorTest {
    private final Engine engine = new CpuEngine(2);

    private static Tensor slice(Tensor x, int fromRow, int toRow) {
        long in = x.cols();
        long bytes = in * x.dtype().byteSize();
        MemorySegment s = x.data().asSlice(fromRow * bytes, (toRow - fromRow) * bytes);
        return new Tensor(x.name(), x.dtype(), new long[] {toRow - fromRow, in}, s);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void runningAverageOfBatchesIsTwoOverNTimesGram(DType dtype) {
        try (Arena arena = Arena.ofShared()) {
            int in = 70; // not a multiple of any vector width or tile
            Tensor x = SyntheticLayer.inputs(arena, "x", dtype, 600, in, 2, 10, 1);
            HessianAccumulator acc = HessianAccumulator.create(arena, "layer", in);
            acc.add(engine, slice(x, 0, 100));
            acc.add(engine, slice(x, 100, 357)); // crosses a token chunk boundary
            acc.add(engine, slice(x, 357, 600));
            assertEquals(600, acc.tokens());
            double[][] g = SyntheticLayer.gram(x);
            Tensor h = acc.hessian();
            for (int a = 0; a < in; a++) {
                for (int b = 0; b < in; b++) {
                    double expected = 2.0 / 600 * g[a][b];
                    assertEquals(expected, h.getFloat((long) a * in + b), 1e-4 * (1 + Math.abs(expected)), a + "," + b);
                    assertEquals(h.getFloat((long) a * in + b), h.getFloat((long) b * in + a), "symmetric");
                }
            }
        }
    }

    @Test
    void mergedPartialsEqualOneAccumulator() {
        try (Arena arena = Arena.ofShared()) {
            int in = 40;
            Tensor x = SyntheticLayer.inputs(arena, "x", DType.F32, 300, in, 1, 20, 2);
            HessianAccumulator whole = HessianAccumulator.create(arena, "whole", in);
            whole.add(engine, x);
            HessianAccumulator p1 = HessianAccumulator.create(arena, "p1", in);
            HessianAccumulator p2 = HessianAccumulator.create(arena, "p2", in);
            p1.add(engine, slice(x, 0, 120));
            p2.add(engine, slice(x, 120, 300));
            p1.merge(p2);
            assertEquals(300, p1.tokens());
            for (long i = 0; i < (long) in * in; i++) {
                float e = whole.hessian().getFloat(i);
                assertEquals(e, p1.hessian().getFloat(i), 1e-4 * (1 + Math.abs(e)));
            }
        }
    }

    @Test
    void inputsOfTheWrongWidthNameTheTensor() {
        try (Arena arena = Arena.ofShared()) {
            HessianAccumulator acc = HessianAccumulator.create(arena, "layer", 8);
            Tensor x = Tensor.allocate(arena, "layer.inputs", DType.F32, 4, 9);
            var e = assertThrows(IllegalArgumentException.class, () -> acc.add(engine, x));
            assertEquals(true, e.getMessage().contains("layer.inputs"));
        }
    }
}
