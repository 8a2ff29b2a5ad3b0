package dev.prune4j.safetensors;

import java.nio.file.Path;

/** What the fuzz targets accept as a clean error: one line that names the file. */
final class FuzzFindings {
    private FuzzFindings() {}

    static void requireNamesTheFile(Exception e, Path file) {
        String m = e.getMessage();
        if (m == null || !m.startsWith(file.toString()) || m.contains("\n")) {
            throw new AssertionError("not a clean error: " + m, e);
        }
    }
}
