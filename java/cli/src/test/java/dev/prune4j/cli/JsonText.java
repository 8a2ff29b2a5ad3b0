package dev.prune4j.cli;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** The JSON the commands print and write, read back in tests. */
final class JsonText {
    private JsonText() {}

    static Map<String, Object> object(String text) {
        try {
            return JSON.std.mapFrom(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON object: " + text, e);
        }
    }
}
