package dev.prune4j.model.bert;

import static org.junit.jupiter.api.Assertions.fail;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The real all-MiniLM-L6-v2 for tests, from the installed PyPI package (see {@link ModelLocator}).
 * Without it a test is skipped, unless {@code PRUNE4J_REQUIRE_PYTHON=1} (CI), where it fails.
 * The model is opened once per test JVM and stays mapped.
 */
public final class MiniLmFixture {
    private MiniLmFixture() {}

    private static final class Holder {
        static final ModelLocator.Result LOCATION = ModelLocator.locate(null);
        static SentenceEmbedder embedder;
    }

    /** The model folder, or a skipped (in CI: failed) test. */
    public static Path requireDir() {
        ModelLocator.Result r = Holder.LOCATION;
        if (!r.found()) {
            if ("1".equals(System.getenv("PRUNE4J_REQUIRE_PYTHON"))) {
                fail(r.problem() + " (PRUNE4J_REQUIRE_PYTHON=1)");
            }
            Assumptions.abort(r.problem());
        }
        return r.dir();
    }

    /** The model, opened once on a 2-thread CPU engine shared by the tests. */
    public static synchronized SentenceEmbedder require() throws IOException {
        Path dir = requireDir();
        if (Holder.embedder == null) {
            Holder.embedder = SentenceEmbedder.open(dir, new CpuEngine(Math.min(4, Runtime.getRuntime().availableProcessors())));
        }
        return Holder.embedder;
    }

    /** The committed output of benchmarks/python/minilm_reference.py. */
    public static Map<String, Object> reference() throws IOException {
        try (InputStream in = MiniLmFixture.class.getResourceAsStream("minilm_reference.json")) {
            if (in == null) {
                throw new IOException("test resource minilm_reference.json is missing");
            }
            return Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> entries(Map<String, Object> reference, String key) {
        return (List<Map<String, Object>>) reference.get(key);
    }

    public static int[] ints(Object jsonList) {
        return ((List<?>) jsonList).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
    }

    public static float[] floats(Object jsonList) {
        List<?> l = (List<?>) jsonList;
        float[] out = new float[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) l.get(i)).floatValue();
        }
        return out;
    }
}
