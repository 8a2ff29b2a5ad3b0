package dev.prune4j.model.eval.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.model.llama.LlamaModel;
import dev.prune4j.model.llama.TinyLlama;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calibration windows carried through a small random LLaMA one decoder layer at a time. */
class LlamaCalibrationPassTest {
    private static final CpuEngine ENGINE = new CpuEngine(2);
    private static LlamaModel model;

    @TempDir
    static Path dir;

    @BeforeAll
    static void load() throws IOException {
        model = LlamaModel.load(new TinyLlama().writeFolder(dir.resolve("tiny"), DType.F32));
    }

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    @Test
    void observingLeavesTheStatesAndAdvancingRunsTheLayer() {
        int[][] windows = {TinyLlama.tokens(12, 1), TinyLlama.tokens(12, 2)};
        LlamaCalibrationPass pass = new LlamaCalibrationPass(model, ENGINE, windows);
        // The model's own layer-by-layer pass, for the inputs each layer should see.
        float[][] expected = {model.embed(windows[0]), model.embed(windows[1])};
        for (int layer = 0; layer < model.config().layers(); layer++) {
            List<String> seen = new ArrayList<>();
            List<float[]> qInputs = new ArrayList<>();
            LinearInputObserver record = (name, x) -> {
                seen.add(name);
                if (name.endsWith("q_proj")) {
                    qInputs.add(x.toFloatArray());
                }
                assertEquals(12, x.dim(0), name);
            };
            pass.observe(layer, record);
            pass.observe(layer, record);
            List<float[]> expectedQ = new ArrayList<>();
            for (float[] h : expected) {
                model.applyLayer(ENGINE, layer, h, 12, (name, x) -> {
                    if (name.endsWith("q_proj")) {
                        expectedQ.add(x.toFloatArray());
                    }
                });
            }
            // Twice the same inputs (observing does not move the states on), and the model's own.
            assertEquals(4, qInputs.size());
            for (int w = 0; w < 2; w++) {
                assertArrayEquals(expectedQ.get(w), qInputs.get(w), "window " + w + " of layer " + layer);
                assertArrayEquals(expectedQ.get(w), qInputs.get(w + 2), "window " + w + " of layer " + layer);
            }
            List<String> names = model.linearsByLayer().get(layer).stream().map(Linear::name).toList();
            List<String> all = new ArrayList<>();
            for (int run = 0; run < 4; run++) {
                all.addAll(names);
            }
            assertEquals(all, seen, "all seven linear layers of the layer, per window");
            pass.advance(layer, Map.of(), LinearInputObserver.NONE);
            assertEquals(layer + 1, pass.position());
        }
    }

    @Test
    void advancingWithNewWeightsRunsThemAndLayersComeInOrder() {
        int[][] windows = {TinyLlama.tokens(8, 3)};
        LlamaCalibrationPass pass = new LlamaCalibrationPass(model, ENGINE, windows);
        assertThrows(IllegalStateException.class, () -> pass.observe(1, LinearInputObserver.NONE));
        Linear down = model.linearsByLayer().getFirst().get(6);
        try (Arena arena = Arena.ofConfined()) {
            Tensor zero = Tensor.allocate(arena, "zero", DType.F32, down.outFeatures(), down.inFeatures());
            pass.advance(0, Map.of(down.name(), zero), LinearInputObserver.NONE);
            float[][] seen = new float[1][];
            pass.observe(1, (name, x) -> {
                if (seen[0] == null) {
                    seen[0] = x.toFloatArray();
                }
            });
            LlamaModel zeroed = model.withLinearWeights(Map.of(down.name(), zero));
            float[] hidden = zeroed.embed(windows[0]);
            zeroed.applyLayer(ENGINE, 0, hidden, 8, LinearInputObserver.NONE);
            float[][] expected = new float[1][];
            zeroed.applyLayer(ENGINE, 1, hidden, 8, (name, x) -> {
                if (expected[0] == null) {
                    expected[0] = x.toFloatArray();
                }
            });
            assertArrayEquals(expected[0], seen[0], "layer 1 sees layer 0's outputs with its down_proj zeroed");
        }
        assertThrows(IllegalStateException.class, () -> pass.advance(0, Map.of(), LinearInputObserver.NONE));
        assertThrows(IllegalArgumentException.class, () -> new LlamaCalibrationPass(model, ENGINE, new int[0][]));
    }
}
