package dev.prune4j.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The perplexity protocol: non-overlapping windows, each scored alone, exp of the mean NLL of C - 1 predictions. */
class PerplexityTest {
    @Test
    void windowsAreTheFirstNonOverlappingRuns() {
        int[] tokens = new int[23];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = i;
        }
        int[][] w = TokenWindows.first(tokens, 3, 7);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, w[0]);
        assertArrayEquals(new int[] {14, 15, 16, 17, 18, 19, 20}, w[2]);
        assertEquals(3, TokenWindows.available(tokens, 7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenWindows.first(tokens, 4, 7));
        assertTrue(e.getMessage().contains("4 windows of 7 tokens need 28 tokens; the text has 23"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TokenWindows.first(tokens, 1, 1));
    }

    @Test
    void calibrationWindowsComeFromTheTokenisedText() {
        java.util.List<String> bytes = new java.util.ArrayList<>();
        for (int b = 0; b < 256; b++) {
            bytes.add(String.valueOf(ByteLevelAlphabet.charOf(b)));
        }
        BpeTokenizer t = new BpeTokenizer(bytes, java.util.List.of(), java.util.List.of(), new Gpt2PreTokenizer(true));
        int[][] w = TokenWindows.first(t, "abcdefghij", 2, 4);
        assertArrayEquals(new int[] {'a', 'b', 'c', 'd'}, w[0]);
        assertArrayEquals(new int[] {'e', 'f', 'g', 'h'}, w[1]);
    }

    @Test
    void perplexityIsExpOfTheMeanNllOfEveryWindow(@TempDir Path dir) throws IOException {
        TinyLlama tiny = new TinyLlama();
        LlamaModel model = LlamaModel.load(tiny.writeFolder(dir.resolve("tiny"), DType.F32));
        int[][] windows = {TinyLlama.tokens(9, 11), TinyLlama.tokens(9, 12), TinyLlama.tokens(9, 13)};
        LlamaOracle oracle = new LlamaOracle(tiny);
        double nll = 0;
        for (int[] w : windows) {
            double[][] logits = oracle.logits(w); // each window from position 0: no context carried over
            for (int t = 0; t + 1 < w.length; t++) {
                double max = Double.NEGATIVE_INFINITY;
                for (double x : logits[t]) {
                    max = Math.max(max, x);
                }
                double sum = 0;
                for (double x : logits[t]) {
                    sum += Math.exp(x - max);
                }
                nll += max + Math.log(sum) - logits[t][w[t + 1]];
            }
        }
        double mean = nll / (3 * 8);
        try (CpuEngine engine = new CpuEngine(2)) {
            Perplexity.Result r = Perplexity.evaluate(model, engine, windows);
            assertEquals(24, r.predictions());
            assertEquals(3, r.windows());
            assertEquals(mean, r.meanNll(), 1e-5);
            assertEquals(Math.exp(mean), r.perplexity(), 1e-4 * Math.exp(mean));
            assertThrows(IllegalArgumentException.class,
                    () -> Perplexity.evaluate(model, engine, new int[][] {windows[0], new int[4]}));
        }
    }
}
