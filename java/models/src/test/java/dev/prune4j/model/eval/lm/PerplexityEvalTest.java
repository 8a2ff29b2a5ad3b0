package dev.prune4j.model.eval.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.eval.ModelPruner;
import dev.prune4j.model.llama.LlamaModel;
import dev.prune4j.model.llama.Perplexity;
import dev.prune4j.model.llama.TinyLlama;
import dev.prune4j.prune.MagnitudePruner;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows of the perplexity table on a small random LLaMA, and their markdown and CSV. */
class PerplexityEvalTest {
    private static final CpuEngine ENGINE = new CpuEngine(2);
    private static final int[][] WINDOWS = {TinyLlama.tokens(10, 31), TinyLlama.tokens(10, 32)};
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
    void theDenseRowScoresTheModelAsLoaded() {
        PerplexityEval eval = new PerplexityEval(model, ENGINE, WINDOWS);
        PerplexityResult dense = eval.dense();
        Perplexity.Result expected = Perplexity.evaluate(model, ENGINE, WINDOWS);
        assertEquals(PerplexityResult.DENSE, dense.method());
        // Up to float noise: the Vector API kernels may sum in another order before C2 compiles them.
        assertEquals(expected.perplexity(), dense.perplexity(), 1e-6 * expected.perplexity());
        assertEquals(expected.meanNll(), dense.meanNll(), 1e-6);
        assertEquals(0.0, dense.actualSparsity(), "random weights have no zeros");
        assertTrue(dense.evalSeconds() > 0 && dense.cpuSeconds() >= 0, dense.toString());
    }

    @Test
    void aPrunedRowScoresThePrunedWeightsAndMeasuresTheirZeros() {
        PerplexityEval eval = new PerplexityEval(model, ENGINE, WINDOWS);
        ModelPruner magnitude = ModelPruner.layerwise(ENGINE, new MagnitudePruner(), PruneSpec.perTensor(0.75));
        PerplexityResult r = eval.evaluate("magnitude", "tensor", 0.75, magnitude);
        assertEquals(0.75, r.actualSparsity(), 1e-12, "floor(0.75 n) of every tensor, n divisible by 4");
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> weights = magnitude.prune(model.linears(), arena);
            double expected = Perplexity.evaluate(model.withLinearWeights(weights), ENGINE, WINDOWS).perplexity();
            assertEquals(expected, r.perplexity(), 1e-6 * expected);
        }
        assertTrue(r.perplexity() > eval.dense().perplexity() * 0.5, "pruning changed the model: " + r);
        assertEquals(r.pruneSeconds() + r.evalSeconds(), r.seconds(), 1e-12);
    }

    @Test
    void theCsvHasOneRowPerModelAndTheMarkdownTheNotes() {
        List<PerplexityResult> rows = List.of(
                new PerplexityResult("dense", "none", 0, 0.0003, 14.9575, 2.705, 0, 100, 190),
                new PerplexityResult("wanda", "2:4", 0.5, 0.5, 31.25, 3.44, 10, 100, 200),
                new PerplexityResult("magnitude", "tensor", 0.99, 0.99, 123456.7, 11.7, 1, 100, 180));
        String csv = PerplexityReport.csv(rows);
        assertEquals(List.of(PerplexityReport.CSV_HEADER, "dense,none,0.0,0.000300,14.9575,100.00",
                "wanda,2:4,0.5,0.500000,31.2500,110.00", "magnitude,tensor,0.99,0.990000,123457,101.00"),
                csv.lines().toList());
        String md = PerplexityReport.markdown(rows, "title", List.of("note one"));
        assertTrue(md.startsWith("# title\n\n- note one\n\n| method |"), md);
        assertTrue(md.contains("| wanda | 2:4 | 0.50 | 0.5000 | 31.250 | 10.0 | 100.0 | 200.0 |"), md);
        assertTrue(md.contains("| magnitude | tensor | 0.99 | 0.9900 | 123457 |"), md);
    }
}
