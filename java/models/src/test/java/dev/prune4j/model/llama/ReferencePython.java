package dev.prune4j.model.llama;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.prune4j.model.text.Installed;
import dev.prune4j.model.text.PythonPackages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Python script from the test resources with {@code $PRUNE4J_PYTHON}, JSON in on stdin and
 * JSON out on stdout. A missing Python package skips the test (fails it in CI).
 */
final class ReferencePython {
    private ReferencePython() {}

    static Map<String, Object> run(String script, Path workDir, Object stdin, String... args)
            throws IOException, InterruptedException {
        Path file = workDir.resolve(script);
        try (InputStream in = ReferencePython.class.getResourceAsStream(script)) {
            if (in == null) {
                throw new IOException("test resource " + script + " is missing");
            }
            Files.copy(in, file);
        }
        List<String> command = new ArrayList<>(List.of(PythonPackages.python(), file.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        // Each pipe on its own thread: none of them may fill up and block the child (or us).
        CompletableFuture<String> err = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> err.complete(readAll(p.getErrorStream())));
        byte[] input = JSON.std.asBytes(stdin);
        Thread.ofPlatform().daemon().start(() -> {
            try (OutputStream out = p.getOutputStream()) {
                out.write(input);
            } catch (IOException e) {
                // The child died early; its exit status and stderr say why.
            }
        });
        CompletableFuture<String> out = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> out.complete(readAll(p.getInputStream())));
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(script + " did not finish within 300 s");
        }
        if (p.exitValue() != 0) {
            String why = script + " failed: " + err.join().strip();
            if (err.join().contains("ModuleNotFoundError")) {
                Installed.missing(why + " (pip install -r benchmarks/requirements-ci.txt)");
            }
            fail(why);
        }
        return JSON.std.mapFrom(out.join());
    }

    static int[] ints(Object jsonList) {
        return ((List<?>) jsonList).stream().mapToInt(o -> ((Number) o).intValue()).toArray();
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
