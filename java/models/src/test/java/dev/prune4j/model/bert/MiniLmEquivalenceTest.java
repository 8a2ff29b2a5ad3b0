package dev.prune4j.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Java forward pass against PyTorch: sentence-transformers' embeddings of a fixed sentence set,
 * computed by benchmarks/python/minilm_reference.py and committed as minilm_reference.json.
 */
class MiniLmEquivalenceTest {
    static final double MAX_COSINE_DISTANCE = 1e-4;

    @Test
    void embeddingsEqualPyTorchsWithin1e4CosineDistance() throws IOException, NoSuchAlgorithmException {
        SentenceEmbedder model = MiniLmFixture.require();
        Map<String, Object> ref = MiniLmFixture.reference();
        assertEquals(ref.get("model_safetensors_sha256"), sha256(model), "the reference was computed on other weights");

        List<Map<String, Object>> entries = MiniLmFixture.entries(ref, "embedding");
        List<String> texts = new ArrayList<>();
        for (Map<String, Object> e : entries) {
            texts.add((String) e.get("text"));
        }
        float[][] java = model.embed(texts);
        assertEquals(20, java.length);
        double worst = 0;
        for (int s = 0; s < java.length; s++) {
            float[] torch = MiniLmFixture.floats(entries.get(s).get("embedding"));
            assertEquals(384, torch.length);
            double distance = 1 - cosine(java[s], torch);
            worst = Math.max(worst, distance);
            assertTrue(distance <= MAX_COSINE_DISTANCE, "sentence " + s + " '" + texts.get(s)
                    + "': cosine distance " + distance);
            assertEquals(1.0, norm(java[s]), 1e-5, "embeddings are L2-normalised");
        }
        System.out.printf("MiniLM vs PyTorch: worst cosine distance %.3g over %d sentences%n", worst, java.length);
    }

    @Test
    void aSentenceEmbedsTheSameAloneAndInABatch() throws IOException {
        SentenceEmbedder model = MiniLmFixture.require();
        List<String> batch = List.of("Short.", "A considerably longer sentence, with several more tokens in it.", "Mid length one.");
        float[][] together = model.embed(batch);
        for (int s = 0; s < batch.size(); s++) {
            float[] alone = model.embed(List.of(batch.get(s)))[0];
            assertArrayEquals(alone, together[s], 1e-6f, batch.get(s));
        }
    }

    private static String sha256(SentenceEmbedder model) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(model.dir().resolve("model.safetensors")), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
        }
        return dot / (norm(a) * norm(b));
    }

    static double norm(float[] a) {
        double s = 0;
        for (float v : a) {
            s += (double) v * v;
        }
        return Math.sqrt(s);
    }
}
