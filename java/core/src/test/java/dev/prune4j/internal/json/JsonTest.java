package dev.prune4j.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON reader is strict (a header two readers could see differently is refused) and the writer round-trips. */
class JsonTest {
    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[1 2]", "01", "1.", ".5", "-", "1e",
        "+1", "NaN", "Infinity", "tru", "nul", "'x'", "\"a", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "{1:2}",
        "[1] 2", "{} x", "\"tab\tinside\""})
    void malformedTextIsAnErrorWithAnOffset(String text) {
        Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(text));
        assertTrue(e.getMessage().contains("offset"), e.getMessage());
    }

    @Test
    void duplicateKeysAreRefused() {
        Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":1,\"b\":2,\"a\":3}"));
        assertTrue(e.getMessage().contains("duplicate key \"a\""), e.getMessage());
        assertEquals(Map.of("a", Map.of("a", 1L)), Json.parse("{\"a\":{\"a\":1}}"), "the same key in another object is fine");
    }

    @Test
    void nestingIsLimited() {
        String deep = "[".repeat(64) + "]".repeat(64);
        assertInstanceOf(List.class, Json.parse(deep));
        String tooDeep = "[".repeat(65) + "]".repeat(65);
        Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(tooDeep));
        assertTrue(e.getMessage().contains("nesting deeper than 64"), e.getMessage());
        assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":".repeat(100) + "1" + "}".repeat(100)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"0|0", "-0|0", "42|42", "-9223372036854775808|-9223372036854775808"})
    void integersThatFitAreLongs(String text, long expected) {
        assertEquals(expected, Json.parse(text));
    }

    @Test
    void numbersKeepTheirKind() {
        assertEquals(new BigInteger("9223372036854775808"), Json.parse("9223372036854775808"));
        assertEquals(new BigInteger("-123456789012345678901234567890"), Json.parse("-123456789012345678901234567890"));
        assertEquals(0.5, Json.parse("0.5"));
        assertEquals(-1.5e-7, Json.parse("-1.5E-7"));
        assertEquals(1e10, Json.parse("1e10"), "an exponent makes a double even without a point");
        assertEquals(-0.0, Json.parse("-0.0"));
    }

    @Test
    void escapesAreDecoded() {
        assertEquals("a\"b\\c/d\b\f\n\r\t", Json.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\""));
        assertEquals("\u00e9\u4e2d", Json.parse("\"\\u00e9\\u4E2D\""));
        assertEquals("\uD83D\uDE00", Json.parse("\"\\ud83d\\ude00\""), "a surrogate pair is one emoji");
        assertEquals("\u00e9", Json.parse("\"\u00e9\""), "UTF-16 text as is");
    }

    @Test
    void theEscaperWritesWhatSerdeJsonWrites() {
        StringBuilder sb = new StringBuilder();
        Json.quote("q\"b\\n\nt\tc\u0001d\u001fe\u007f\u00e9", sb);
        assertEquals("\"q\\\"b\\\\n\\nt\\tc\\u0001d\\u001fe\u007f\u00e9\"", sb.toString());
        StringBuilder bf = new StringBuilder();
        Json.quote("\b\f\r", bf);
        assertEquals("\"\\b\\f\\r\"", bf.toString());
    }

    @Test
    void writtenValuesParseBackEqual() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "model.layers.0.self_attn.q_proj.weight");
        value.put("shape", List.of(4096L, 4096L));
        value.put("sparsity", 0.5);
        value.put("count", 12345678901L);
        value.put("big", new BigInteger("123456789012345678901234567890"));
        value.put("error", null);
        value.put("ok", true);
        value.put("odd", "line\nbreak \"quoted\" \u0007 \uD83D\uDE00");
        value.put("nested", List.of(Map.of(), List.of(), Map.of("x", List.of(1L, 2.5, "three"))));
        assertEquals(value, Json.parse(Json.write(value)));
        assertEquals(value, Json.parse(Json.writePretty(value)));
        assertEquals(Json.write(value), Json.write(Json.parse(Json.writePretty(value))), "pretty and compact agree");
    }

    @Test
    void arraysOfPrimitivesAreWrittenAsLists() {
        assertEquals(List.of(1L, 2L, 3L), Json.parseArray(Json.write(new long[] {1, 2, 3})));
        assertEquals("[]", Json.write(new ArrayList<>()));
        assertEquals(Arrays.asList(null, "x"), Json.parse(Json.write(Arrays.asList(null, "x"))));
    }

    @Test
    void nonFiniteDoublesBecomeNull() {
        assertEquals("[null,null,1.5]", Json.write(List.of(Double.NaN, Double.POSITIVE_INFINITY, 1.5)));
    }

    @Test
    void parseObjectAndParseArraySayWhatTheyExpected() {
        assertThrows(Json.JsonException.class, () -> Json.parseObject("[1]"));
        assertThrows(Json.JsonException.class, () -> Json.parseArray("{}"));
        assertEquals(Map.of(), Json.parseObject("  {}  "));
    }
}
