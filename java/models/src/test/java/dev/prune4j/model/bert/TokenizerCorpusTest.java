package dev.prune4j.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.prune4j.internal.json.Json;
import dev.prune4j.model.text.FortuneCorpus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java tokenizer against Hugging Face's {@code tokenizers} (run live through
 * {@code $PRUNE4J_PYTHON}) on every text of the fortune corpus: thousands of real sentences with
 * punctuation, numbers, quotes and the odd accent.
 */
class TokenizerCorpusTest {
    @Test
    void everyFortuneTextGetsTheReferenceIds(@TempDir Path tmp) throws IOException, InterruptedException {
        Path modelDir = MiniLmFixture.requireDir();
        boolean required = "1".equals(System.getenv("PRUNE4J_REQUIRE_PYTHON"));
        if (!Files.isRegularFile(FortuneCorpus.DEFAULT_DIR.resolve("literature"))) {
            if (required) {
                fail("Debian's fortune databases are not installed (.ci/run installs them)");
            }
            Assumptions.abort("Debian's fortune databases are not installed");
        }
        List<String> texts = FortuneCorpus.read(FortuneCorpus.DEFAULT_DIR);
        int maxLength = 256;
        Path script = tmp.resolve("tokenize_reference.py");
        try (InputStream in = getClass().getResourceAsStream("tokenize_reference.py")) {
            Files.copy(in, script);
        }
        String python = System.getenv().getOrDefault("PRUNE4J_PYTHON", "python3");
        Process p = new ProcessBuilder(python, script.toString(), modelDir.resolve("tokenizer.json").toString(),
                Integer.toString(maxLength)).start();
        // Each pipe on its own thread: none of them may fill up and block the child (or us).
        CompletableFuture<String> err = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> err.complete(readAll(p.getErrorStream())));
        byte[] input = Json.write(texts).getBytes(StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().start(() -> {
            try (OutputStream stdin = p.getOutputStream()) {
                stdin.write(input);
            } catch (IOException e) {
                // The child died early; its exit status and stderr say why.
            }
        });
        CompletableFuture<String> out = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> out.complete(readAll(p.getInputStream())));
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(python + " did not finish tokenising");
        }
        if (p.exitValue() != 0) {
            String why = python + " cannot run the tokenizers reference: " + err.join().strip();
            if (required || !err.join().contains("ModuleNotFoundError")) {
                fail(why);
            }
            Assumptions.abort(why + "; pip install tokenizers (benchmarks/requirements-ci.txt)");
        }
        Map<String, Object> ref = Json.parseObject(out.join());
        List<?> ids = (List<?>) ref.get("ids");
        assertEquals(texts.size(), ids.size());
        BertTokenizer tokenizer = BertTokenizer.load(modelDir, maxLength);
        int mismatches = 0;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            int[] expected = MiniLmFixture.ints(ids.get(i));
            int[] actual = tokenizer.encode(texts.get(i));
            if (!java.util.Arrays.equals(expected, actual)) {
                if (mismatches++ < 3) {
                    first.append("\n").append(texts.get(i)).append("\n  expected ").append(tokenizer.tokens(texts.get(i)));
                }
            }
        }
        assertEquals(0, mismatches, mismatches + " of " + texts.size() + " texts differ (tokenizers "
                + ref.get("version") + "):" + first);
        assertTrue(texts.size() > 3000);
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
