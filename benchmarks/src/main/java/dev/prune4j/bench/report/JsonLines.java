package dev.prune4j.bench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An append-only JSON-lines results file ({@code .jsonl}): one object per line, each written and
 * handed to the operating system as soon as it is known, so a benchmark killed by its stage's
 * timeout leaves every line it finished. Every line carries {@code format} (whose file it is) and
 * {@code kind} ({@code header}, {@code device}, {@code case}, {@code end}, ...), so lines are
 * self-describing and {@link ResultReader} needs no other file to read them.
 */
public final class JsonLines {
    private final Path file;
    private final String format;

    /** Appends to {@code file} (created with its folder if needed); every line gets {@code format}. */
    public JsonLines(Path file, String format) {
        this.file = file;
        this.format = format;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    /** A new line object of {@code kind}: format and kind first, then what the caller puts. */
    public Map<String, Object> line(String kind) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", format);
        m.put("kind", kind);
        return m;
    }

    /** Appends {@code line} (one write of one line, so lines of one writer never interleave). */
    public synchronized void write(Map<String, Object> line) {
        try {
            String text = JsonFormat.writeCompact(line) + "\n";
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }
}
