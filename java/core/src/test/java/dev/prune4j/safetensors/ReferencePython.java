package dev.prune4j.safetensors;

import static org.junit.jupiter.api.Assertions.fail;

import dev.prune4j.internal.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Python reference implementation ({@code safetensors} and {@code numpy}), run as a
 * subprocess. The interpreter is {@code $PRUNE4J_PYTHON} (default {@code python3}). When it cannot
 * import both packages the calling test is skipped, unless {@code PRUNE4J_REQUIRE_PYTHON=1}
 * (as in CI), where it fails instead.
 */
final class ReferencePython {
    private final String python;

    private ReferencePython(String python) {
        this.python = python;
    }

    /** The interpreter, or a skipped (or, when required, failed) test. */
    static ReferencePython require() {
        String python = System.getenv().getOrDefault("PRUNE4J_PYTHON", "python3");
        String why;
        try {
            Result r = run(List.of(python, "-c", "import safetensors, numpy; print(safetensors.__version__)"));
            if (r.exit == 0) {
                return new ReferencePython(python);
            }
            why = python + " cannot import safetensors and numpy: " + r.stderr.strip();
        } catch (IOException e) {
            why = "cannot run " + python + ": " + e.getMessage();
        }
        if ("1".equals(System.getenv("PRUNE4J_REQUIRE_PYTHON"))) {
            fail(why + " (PRUNE4J_REQUIRE_PYTHON=1)");
        }
        Assumptions.abort(why + "; set PRUNE4J_PYTHON to an interpreter with benchmarks/requirements-ci.txt");
        throw new AssertionError("unreachable");
    }

    /** Runs the test resource {@code script} with {@code args} and parses its stdout as a JSON object. */
    Map<String, Object> runScript(String script, Path workDir, String... args) throws IOException {
        Path file = workDir.resolve(script);
        try (InputStream in = ReferencePython.class.getResourceAsStream(script)) {
            if (in == null) {
                throw new IOException("test resource " + script + " is missing");
            }
            Files.copy(in, file);
        }
        List<String> command = new ArrayList<>(List.of(python, file.toString()));
        command.addAll(List.of(args));
        Result r = run(command);
        if (r.exit != 0) {
            fail(script + " exited with " + r.exit + ":\n" + r.stderr);
        }
        return Json.parseObject(r.stdout);
    }

    private record Result(int exit, String stdout, String stderr) {
    }

    private static Result run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        // Read stderr on another thread so that neither pipe can fill up and block the child.
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command + " did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), out, err.join());
    }
}
