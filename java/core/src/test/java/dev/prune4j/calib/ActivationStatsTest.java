package dev.prune4j.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.prune4j.testing.SyntheticLayer;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.engine.Engine;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ActivationStatsTest {
    private final Engine engine = new CpuEngine(2);

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void sumsOfSquaresPerChannelAcrossBatchesAndMerges(DType dtype) {
        try (Arena arena = Arena.ofShared()) {
            int in = 300;
            Tensor a = SyntheticLayer.inputs(arena, "a", dtype, 50, in, 3, 30, 3);
            Tensor b = SyntheticLayer.inputs(arena, "b", dtype, 70, in, 3, 30, 4);
            ActivationStats s1 = ActivationStats.create(arena, "layer", in);
            s1.add(engine, a);
            ActivationStats s2 = ActivationStats.create(arena, "layer", in);
            s2.add(engine, b);
            s1.merge(s2);
            assertEquals(120, s1.tokens());
            for (int j = 0; j < in; j++) {
                double expected = 0;
                for (Tensor x : new Tensor[] {a, b}) {
                    for (long t = 0; t < x.rows(); t++) {
                        double v = x.getFloat(t * in + j);
                        expected += v * v;
                    }
                }
                assertEquals(expected, s1.normSq().getFloat(j), 1e-5 * expected, "channel " + j);
            }
        }
    }
}
