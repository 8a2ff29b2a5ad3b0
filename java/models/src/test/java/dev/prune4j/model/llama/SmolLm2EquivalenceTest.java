package dev.prune4j.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.text.Installed;
import dev.prune4j.model.text.WikipediaCorpus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SmolLM2-135M in Java against {@code transformers}' {@code LlamaForCausalLM} (float32) on the
 * same converted folder: the committed {@code smollm2-reference.json} of
 * {@code benchmarks/python/smollm2_reference.py}. Logits agree to {@value #RELATIVE} of their
 * scale, the greedy continuation through the KV cache is the same, and so is the perplexity of a
 * Wikipedia window.
 */
class SmolLm2EquivalenceTest {
    /** Tolerance on a logit, relative to max(1, |reference|): float32 sums in another order. */
    static final double RELATIVE = 1e-4;

    @Test
    void theConverterWritesTheFolderTheReferenceRead() throws IOException {
        Map<String, Object> ref = SmolLm2Fixture.reference();
        Path dir = SmolLm2Fixture.convertedDir();
        assertEquals(ref.get("model_safetensors_sha256"), sha256(dir.resolve("model.safetensors")),
                "the conversion is deterministic and is the one PyTorch was run on");
        LlamaConfig c = LlamaConfig.fromJson(dir.resolve("config.json"));
        assertEquals(new LlamaConfig(576, 1536, 30, 9, 3, 49152, 8192, 1e-5, 100_000, true, 1, 2), c);
    }

    @Test
    void logitsEqualTransformers() throws IOException {
        Map<String, Object> ref = SmolLm2Fixture.reference();
        LlamaModel model = SmolLm2Fixture.model();
        BpeTokenizer tokenizer = BpeTokenizer.fromTokenizerJson(SmolLm2Fixture.convertedDir().resolve("tokenizer.json"));
        int[] probes = ReferencePython.ints(ref.get("probe_ids"));
        int vocab = model.config().vocabSize();
        double worst = 0;
        for (Object o : (List<?>) ref.get("sequences")) {
            Map<?, ?> seq = (Map<?, ?>) o;
            int[] ids = ReferencePython.ints(seq.get("ids"));
            assertArrayEquals(ids, tokenizer.encode((String) seq.get("text")), "tokenizer on " + seq.get("text"));
            float[] logits = model.logits(SmolLm2Fixture.engine(), ids);
            for (Object p : (List<?>) seq.get("positions")) {
                Map<?, ?> pos = (Map<?, ?>) p;
                int row = ((Number) pos.get("position")).intValue() * vocab;
                int[] top = ReferencePython.ints(pos.get("top_ids"));
                double[] topLogits = doubles(pos.get("top_logits"));
                double[] probeLogits = doubles(pos.get("probe_logits"));
                assertEquals(top[0], argmax(logits, row, vocab), "top-1 at " + pos.get("position") + " of " + seq.get("text"));
                for (int i = 0; i < top.length; i++) {
                    worst = Math.max(worst, check(logits[row + top[i]], topLogits[i], seq, pos));
                }
                for (int i = 0; i < probes.length; i++) {
                    worst = Math.max(worst, check(logits[row + probes[i]], probeLogits[i], seq, pos));
                }
                double lse = logSumExp(logits, row, vocab);
                worst = Math.max(worst, check((float) lse, ((Number) pos.get("logsumexp")).doubleValue(), seq, pos));
            }
        }
        System.out.printf("SmolLM2 logits vs transformers: worst relative difference %.2e%n", worst);
    }

    @Test
    void greedyGenerationThroughTheCacheEqualsTransformers() throws IOException {
        Map<?, ?> gen = (Map<?, ?>) SmolLm2Fixture.reference().get("generation");
        LlamaModel model = SmolLm2Fixture.model();
        CpuEngine engine = SmolLm2Fixture.engine();
        int[] prompt = ReferencePython.ints(gen.get("prompt_ids"));
        int[] expected = ReferencePython.ints(gen.get("greedy_ids"));
        KvCache cache = model.newCache(prompt.length + expected.length);
        float[] logits = model.nextLogits(engine, cache, prompt);
        int[] generated = new int[expected.length];
        for (int i = 0; i < generated.length; i++) {
            generated[i] = argmax(logits, 0, logits.length);
            if (i + 1 < generated.length) {
                logits = model.nextLogits(engine, cache, generated[i]);
            }
        }
        BpeTokenizer tokenizer = SmolLm2Fixture.tokenizer();
        assertArrayEquals(expected, generated, "expected '" + tokenizer.decode(expected) + "', got '"
                + tokenizer.decode(generated) + "'");
        assertEquals(prompt.length + expected.length - 1, cache.length());
    }

    @Test
    void perplexityOfAWikipediaWindowEqualsTransformers() throws IOException {
        Map<?, ?> window = (Map<?, ?>) SmolLm2Fixture.reference().get("perplexity_window");
        int[] ids = ReferencePython.ints(window.get("ids"));
        Path summaries = Installed.require(WikipediaCorpus.locate());
        String evaluation = WikipediaCorpus.split(WikipediaCorpus.read(summaries)).evaluationText();
        // The window is the protocol's: the first C tokens of the tokenised evaluation text.
        int[][] windows = TokenWindows.first(SmolLm2Fixture.tokenizer(), evaluation, 1, ids.length);
        assertArrayEquals(ids, windows[0]);
        Perplexity.Result r = Perplexity.evaluate(SmolLm2Fixture.model(), SmolLm2Fixture.engine(), windows);
        double expected = ((Number) window.get("mean_nll")).doubleValue();
        assertEquals(expected, r.meanNll(), 1e-4 * expected, "mean NLL");
        System.out.printf("SmolLM2 Wikipedia window of %d: mean NLL %.7f (transformers %.7f)%n", ids.length,
                r.meanNll(), expected);
        assertEquals(ids.length - 1, r.predictions());
        assertEquals(((Number) window.get("perplexity")).doubleValue(), r.perplexity(), 1e-3);
    }

    private static double check(float actual, double expected, Map<?, ?> seq, Map<?, ?> pos) {
        double rel = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
        assertTrue(rel <= RELATIVE, "logit " + actual + " vs " + expected + " at position " + pos.get("position")
                + " of '" + seq.get("text") + "'");
        return rel;
    }

    static int argmax(float[] x, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[from + i] > x[from + best]) {
                best = i;
            }
        }
        return best;
    }

    private static double logSumExp(float[] x, int from, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[from + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x[from + i] - max);
        }
        return max + Math.log(sum);
    }

    private static double[] doubles(Object list) {
        return ((List<?>) list).stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
