package dev.prune4j.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.tensor.DType;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.bert.BertEncoder;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.MiniLmFixture;
import dev.prune4j.model.bert.SentenceEmbedder;
import dev.prune4j.model.text.EvalText;
import dev.prune4j.model.text.FortuneCorpus;
import dev.prune4j.model.text.RetrievalSet;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.prune.Scope;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A small evaluation of magnitude pruning on the real MiniLM, on fixed sentences. */
class PruneEvalTest {
    private static SentenceEmbedder model;
    private static PruneEval eval;
    private static final CpuEngine ENGINE = new CpuEngine(2);

    @BeforeAll
    static void setUp() throws IOException {
        model = MiniLmFixture.require();
        List<String> texts = new ArrayList<>();
        for (Map<String, Object> e : MiniLmFixture.entries(MiniLmFixture.reference(), "embedding")) {
            texts.add((String) e.get("text"));
        }
        List<String> pairs = List.of(
                "The committee postponed its decision on the new bridge until the engineers finish their report.",
                "Most cats sleep for more than twelve hours a day, usually in the warmest spot they can find.",
                "The recipe calls for two cups of flour, one egg and a pinch of salt, mixed until smooth.",
                "Astronomers found a planet orbiting a distant star that might hold liquid water on its surface.",
                "The orchestra rehearsed the symphony for weeks before the opening night at the concert hall.",
                "Heavy rain flooded the valley roads and the villagers were told to move to higher ground.");
        eval = new PruneEval(model, new EvalText(List.of(), texts, RetrievalSet.halves(pairs, pairs.size())));
    }

    @Test
    void nothingPrunedMeansIdenticalEmbeddings() {
        EvalResult r = eval.evaluate("magnitude", "tensor", 0.0, magnitude(0.0, Scope.TENSOR));
        assertEquals(0.0, r.actualSparsity(), 1e-4); // a handful of weights may be exactly zero already
        assertEquals(1.0, r.meanCosine(), 1e-6);
        assertEquals(1.0, r.top1Agreement());
    }

    @Test
    void sparsityIsMetExactlyAndQualityFallsWithIt() {
        EvalResult tensor50 = eval.evaluate("magnitude", "tensor", 0.5, magnitude(0.5, Scope.TENSOR));
        EvalResult global50 = eval.evaluate("magnitude", "global", 0.5, magnitude(0.5, Scope.GLOBAL));
        EvalResult tensor95 = eval.evaluate("magnitude", "tensor", 0.95, magnitude(0.95, Scope.TENSOR));
        EvalResult nm24 = eval.evaluate("magnitude", "2:4", 0.5,
                ModelPruner.magnitude(ENGINE, PruneSpec.nm(NmPattern.TWO_FOUR)));
        for (EvalResult r : List.of(tensor50, global50, nm24)) {
            assertEquals(0.5, r.actualSparsity(), 1e-4, r.toString());
        }
        assertEquals(0.95, tensor95.actualSparsity(), 1e-4);
        assertTrue(tensor50.meanCosine() < 0.9999, tensor50.toString());
        assertTrue(tensor95.meanCosine() < tensor50.meanCosine(), tensor95 + " vs " + tensor50);
    }

    @Test
    void theDenseWeightsAreNeverTouched() {
        Linear first = model.encoder().linears().getFirst();
        float before = first.weight().getFloat(0);
        eval.evaluate("magnitude", "tensor", 0.99, magnitude(0.99, Scope.TENSOR));
        assertEquals(before, first.weight().getFloat(0));
        assertEquals(0.0, PruneEval.zeroFraction(model.encoder().linears()), 1e-4);
    }

    /** The calibration hook: every linear layer's input, [tokens, in], once per layer per batch. */
    @Test
    void calibrationSeesEveryLinearLayerInput() {
        record Seen(int inFeatures, long[] tokens) {}
        var stats = new PerLayerStats<>((name, in) -> new Seen(in, new long[1]), (s, x) -> {
            assertEquals(s.inFeatures(), x.dim(1));
            s.tokens()[0] += x.dim(0);
        });
        List<String> sentences = List.of("One two three.", "Four five six seven.");
        Calibration.run(model, model.encoder(), sentences, stats);
        int tokens = 0;
        for (int[] ids : model.tokenizer().encode(sentences)) {
            tokens += ids.length;
        }
        assertEquals(36, stats.all().size());
        for (Linear l : model.encoder().linears()) {
            assertEquals(l.inFeatures(), stats.get(l.name()).inFeatures(), l.name());
            assertEquals(tokens, stats.get(l.name()).tokens()[0], l.name());
        }
        assertEquals("encoder.layer.0.attention.self.query", stats.all().keySet().iterator().next());
        assertThrows(IllegalStateException.class, () -> stats.get("pooler.dense"));
    }

    @Test
    void swappingAWeightByAnUnknownNameIsAnError() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.allocate(arena, "w", dev.prune4j.tensor.DType.F32, 384, 384);
            BertEncoder encoder = model.encoder();
            var e = assertThrows(IllegalArgumentException.class,
                    () -> encoder.withLinearWeights(Map.of("encoder.layer.0.attention.self.query.weight", w)));
            assertTrue(e.getMessage().contains("query.weight"), e.getMessage());
        }
    }

    @Test
    void fortuneTextIsHeldOutFromCalibration() throws IOException {
        if (!java.nio.file.Files.isRegularFile(FortuneCorpus.DEFAULT_DIR.resolve("literature"))) {
            return; // FortuneCorpusTest reports the missing package
        }
        EvalText text = EvalText.fromFortunes(FortuneCorpus.DEFAULT_DIR, 16, 16, 16);
        assertTrue(text.similarity().stream().noneMatch(text.calibration()::contains));
    }

    private static ModelPruner magnitude(double ratio, Scope scope) {
        return ModelPruner.magnitude(ENGINE, PruneSpec.unstructured(ratio, scope));
    }
}
