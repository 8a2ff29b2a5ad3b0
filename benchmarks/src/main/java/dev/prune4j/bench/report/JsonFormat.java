package dev.prune4j.bench.report;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;

/** JSON for the benchmark files (JMH results, machine info, GEMM results), through jackson-jr. */
public final class JsonFormat {
    private static final JSON STRICT = JSON.std.with(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS);
    private static final JSON PRETTY = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT);

    private JsonFormat() {}

    /** Maps, lists, strings, numbers, booleans and nulls. */
    public static Object parse(String text) throws IOException {
        return STRICT.anyFrom(text);
    }

    public static String writePretty(Object value) throws IOException {
        return PRETTY.asString(value);
    }

    /** One line, no indentation: the JSON-lines files. */
    public static String writeCompact(Object value) throws IOException {
        return STRICT.asString(value);
    }
}
