package dev.prune4j.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The F32 decoder on a small random model against the double-precision {@link LlamaOracle}. */
class LlamaModelTest {
    private static final CpuEngine ENGINE = new CpuEngine(2);
    private static final TinyLlama TINY = new TinyLlama();
    private static LlamaModel model;

    @TempDir
    static Path dir;

    @BeforeAll
    static void load() throws IOException {
        model = LlamaModel.load(TINY.writeFolder(dir.resolve("tiny"), DType.F32));
    }

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    /** Largest |a - b| / max(1, |b|) over every logit. */
    static double worst(float[] actual, double[][] expected) {
        double worst = 0;
        int vocab = expected[0].length;
        for (int t = 0; t < expected.length; t++) {
            for (int i = 0; i < vocab; i++) {
                double e = expected[t][i];
                worst = Math.max(worst, Math.abs(actual[t * vocab + i] - e) / Math.max(1, Math.abs(e)));
            }
        }
        return worst;
    }

    @Test
    void logitsEqualTheDoublePrecisionReference() {
        // 37 tokens: query groups of four and blocks of sixteen with ragged ends, positions past 32.
        int[] tokens = TinyLlama.tokens(37, 1);
        float[] logits = model.logits(ENGINE, tokens);
        assertEquals(37 * TINY.config.vocabSize(), logits.length);
        double worst = worst(logits, new LlamaOracle(TINY).logits(tokens));
        assertTrue(worst < 2e-5, "worst relative difference " + worst);
    }

    @Test
    void weightsInF16AndBf16AreWidenedExactly() throws IOException {
        int[] tokens = TinyLlama.tokens(9, 2);
        for (DType dtype : List.of(DType.F16, DType.BF16)) {
            LlamaModel m = LlamaModel.load(TINY.writeFolder(dir.resolve(dtype.name()), dtype));
            double worst = worst(m.logits(ENGINE, tokens), new LlamaOracle(TINY.roundedTo(dtype)).logits(tokens));
            assertTrue(worst < 2e-5, dtype + ": worst relative difference " + worst);
        }
    }

    @Test
    void oneTokenAtATimeThroughTheCacheGivesTheSameLogits() {
        int[] tokens = TinyLlama.tokens(21, 3);
        float[] all = model.logits(ENGINE, tokens);
        int vocab = TINY.config.vocabSize();
        KvCache cache = model.newCache(tokens.length);
        // A prompt of five, then one by one.
        float[] next = model.nextLogits(ENGINE, cache, Arrays.copyOf(tokens, 5));
        for (int t = 4; t < tokens.length; t++) {
            if (t > 4) {
                next = model.nextLogits(ENGINE, cache, tokens[t]);
            }
            for (int i = 0; i < vocab; i++) {
                assertEquals(all[t * vocab + i], next[i], 1e-5f * Math.max(1, Math.abs(all[t * vocab + i])),
                        "position " + t + " logit " + i);
            }
        }
        assertEquals(tokens.length, cache.length());
        assertThrows(IllegalStateException.class, () -> model.nextLogits(ENGINE, cache, 1), "the cache is full");
        cache.clear();
        float[] again = model.nextLogits(ENGINE, cache, tokens[0]);
        for (int i = 0; i < vocab; i++) {
            assertEquals(all[i], again[i], 1e-5f * Math.max(1, Math.abs(all[i])), "a cleared cache starts over");
        }
    }

    @Test
    void theObserverSeesEveryLinearInputInExecutionOrder() {
        int[] tokens = TinyLlama.tokens(6, 4);
        List<String> names = new ArrayList<>();
        List<float[]> inputs = new ArrayList<>();
        LinearInputObserver observer = (name, x) -> {
            names.add(name);
            assertEquals(DType.F32, x.dtype());
            assertEquals(6, x.dim(0));
            inputs.add(x.toFloatArray());
        };
        model.forward(ENGINE, model.newCache(6), tokens, observer);
        List<String> expected = new ArrayList<>();
        for (int l = 0; l < 2; l++) {
            for (String linear : LlamaTensorNames.LAYER_LINEARS) {
                expected.add("model.layers." + l + "." + linear);
            }
        }
        assertEquals(expected, names);
        assertEquals(model.linears().stream().map(Linear::name).toList(), names);
        assertArrayEquals(inputs.get(0), inputs.get(1), "q and k see the same input");
        assertArrayEquals(inputs.get(0), inputs.get(2), "q and v see the same input");
        assertArrayEquals(inputs.get(4), inputs.get(5), "gate and up see the same input");
        assertEquals(6 * TINY.config.intermediateSize(), inputs.get(6).length, "down sees the SwiGLU product");
        // The first input is the first layer's RMSNorm of the embeddings.
        double[] normed = new LlamaOracle(TINY).rmsNorm(embedding(tokens[0]), TINY.weights.get("model.layers.0.input_layernorm.weight"));
        for (int i = 0; i < normed.length; i++) {
            assertEquals(normed[i], inputs.get(0)[i], 1e-5);
        }
    }

    private static double[] embedding(int id) {
        int h = TINY.config.hiddenSize();
        double[] e = new double[h];
        for (int i = 0; i < h; i++) {
            e[i] = TINY.weights.get(LlamaTensorNames.EMBEDDING)[id * h + i];
        }
        return e;
    }

    @Test
    void layersAppliedOneByOneEqualTheWholePass() {
        int[] tokens = TinyLlama.tokens(12, 5);
        float[] hidden = model.embed(tokens);
        for (int l = 0; l < model.config().layers(); l++) {
            model.applyLayer(ENGINE, l, hidden, tokens.length, LinearInputObserver.NONE);
        }
        LlamaOracle oracle = new LlamaOracle(TINY);
        double[][] expected = oracle.finalHidden(tokens);
        float[] forward = model.forward(ENGINE, model.newCache(12), tokens, LinearInputObserver.NONE);
        int h = model.config().hiddenSize();
        for (int t = 0; t < tokens.length; t++) {
            double[] row = new double[h];
            for (int i = 0; i < h; i++) {
                row[i] = hidden[t * h + i];
            }
            double[] normed = oracle.rmsNorm(row, TINY.weights.get(LlamaTensorNames.FINAL_NORM));
            for (int i = 0; i < h; i++) {
                assertEquals(expected[t][i], normed[i], 1e-4 * Math.max(1, Math.abs(expected[t][i])));
                assertEquals(expected[t][i], forward[t * h + i], 1e-4 * Math.max(1, Math.abs(expected[t][i])));
            }
        }
    }

    @Test
    void observingALayerShowsTheInputsApplyingItWouldAndChangesNothing() {
        int[] tokens = TinyLlama.tokens(10, 7);
        float[] hidden = model.embed(tokens);
        model.applyLayer(ENGINE, 0, hidden, tokens.length, LinearInputObserver.NONE);
        float[] before = hidden.clone();
        List<String> observedNames = new ArrayList<>();
        List<float[]> observed = new ArrayList<>();
        model.observeLayer(ENGINE, 1, hidden, tokens.length, (name, x) -> {
            observedNames.add(name);
            observed.add(x.toFloatArray());
        });
        assertArrayEquals(before, hidden, "the hidden states are left as they were");
        List<String> appliedNames = new ArrayList<>();
        List<float[]> applied = new ArrayList<>();
        model.applyLayer(ENGINE, 1, hidden, tokens.length, (name, x) -> {
            appliedNames.add(name);
            applied.add(x.toFloatArray());
        });
        assertEquals(appliedNames, observedNames);
        for (int i = 0; i < applied.size(); i++) {
            assertArrayEquals(applied.get(i), observed.get(i), appliedNames.get(i));
        }
    }

    @Test
    void twoFourWeightsOnTheSparseKernelsGiveTheSameLogits() {
        int[] tokens = TinyLlama.tokens(7, 8);
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> pruned = new java.util.LinkedHashMap<>();
            for (Linear l : model.linears()) {
                Tensor w = Tensor.allocate(arena, l.name() + ".weight", DType.F32, l.outFeatures(), l.inFeatures());
                // Keep the first two of every four: a 2:4 weight.
                for (long i = 0; i < w.numel(); i++) {
                    w.setFloat(i, i % 4 < 2 ? l.weight().getFloat(i) : 0f);
                }
                pruned.put(l.name(), w);
            }
            LlamaModel dense = model.withLinearWeights(pruned);
            LlamaModel sparse = dense.withSparse24Kernels(arena);
            assertTrue(sparse.linears().stream().allMatch(l -> l.compressed() != null));
            float[] expected = dense.logits(ENGINE, tokens);
            float[] actual = sparse.logits(ENGINE, tokens);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5f * Math.max(1, Math.abs(expected[i])), "logit " + i);
            }
            KvCache cache = sparse.newCache(tokens.length);
            float[] last = sparse.nextLogits(ENGINE, cache, tokens);
            int vocab = TINY.config.vocabSize();
            assertEquals(expected[(tokens.length - 1) * vocab], last[0], 1e-5f * Math.max(1, Math.abs(last[0])));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.withSparse24Kernels(arena), "dense weights are not 2:4");
            assertTrue(e.getMessage().contains("model.layers.0.self_attn.q_proj"), e.getMessage());
        }
    }

    @Test
    void linearWeightsAreReplacedByName() {
        int[] tokens = TinyLlama.tokens(5, 6);
        String name = "model.layers.1.mlp.down_proj";
        Linear down = model.linears().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
        try (Arena arena = Arena.ofConfined()) {
            Tensor zero = Tensor.allocate(arena, name + ".weight", DType.F32, down.outFeatures(), down.inFeatures());
            LlamaModel pruned = model.withLinearWeights(Map.of(name, zero));
            assertNotEquals(Arrays.toString(model.logits(ENGINE, tokens)), Arrays.toString(pruned.logits(ENGINE, tokens)));
            TinyLlama zeroed = new TinyLlama();
            Arrays.fill(zeroed.weights.get(name + ".weight"), 0f);
            assertTrue(worst(pruned.logits(ENGINE, tokens), new LlamaOracle(zeroed).logits(tokens)) < 2e-5);
            assertEquals(14, pruned.linears().size());
            assertEquals(List.of(7, 7), pruned.linearsByLayer().stream().map(List::size).toList());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.withLinearWeights(Map.of("model.layers.9.mlp.up_proj", zero)));
            assertTrue(e.getMessage().contains("model.layers.9.mlp.up_proj"), e.getMessage());
        }
    }

    @Test
    void tokensOutsideTheVocabularyAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> model.logits(ENGINE, new int[] {1, 260}));
        assertThrows(IllegalArgumentException.class, () -> model.newCache(65), "beyond max_position_embeddings");
    }
}
