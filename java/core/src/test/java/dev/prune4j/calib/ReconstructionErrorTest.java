package dev.prune4j.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.prune4j.testing.SyntheticLayer;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.engine.Engine;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class ReconstructionErrorTest {
    @Test
    void errorFromTheHessianEqualsTheErrorOnTheInputs() {
        Engine engine = new CpuEngine(2);
        try (Arena arena = Arena.ofShared()) {
            int out = 12;
            int in = 50;
            int tokens = 200;
            Tensor x = SyntheticLayer.inputs(arena, "x", DType.F32, tokens, in, 2, 15, 6);
            Tensor w = SyntheticLayer.weight(arena, "w", DType.F32, out, in, 7);
            Tensor w2 = SyntheticLayer.weight(arena, "w2", DType.F32, out, in, 8);
            HessianAccumulator h = HessianAccumulator.create(arena, "w", in);
            h.add(engine, x);
            double direct = 0;
            for (int t = 0; t < tokens; t++) {
                for (int o = 0; o < out; o++) {
                    double y = 0;
                    for (int j = 0; j < in; j++) {
                        y += (w.getFloat((long) o * in + j) - w2.getFloat((long) o * in + j)) * x.getFloat((long) t * in + j);
                    }
                    direct += y * y;
                }
            }
            assertEquals(direct, ReconstructionError.of(engine, w, w2, h), 1e-4 * direct);
        }
    }
}
