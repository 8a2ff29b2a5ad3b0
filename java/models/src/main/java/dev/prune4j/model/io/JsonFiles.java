package dev.prune4j.model.io;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The JSON files of model folders ({@code config.json}, tokenizer configs), read with jackson-jr. */
public final class JsonFiles {
    private static final JSON READER = JSON.std.with(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS);

    private JsonFiles() {}

    /** The JSON object in {@code file}; anything else is an error naming the file. */
    public static Map<String, Object> readObject(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return READER.mapFrom(text);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a valid JSON object: " + e.getMessage(), e);
        }
    }
}
