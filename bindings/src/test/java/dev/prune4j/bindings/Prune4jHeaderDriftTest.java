package dev.prune4j.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@link Prune4jH} in step with {@code native/include/prune4j.h}: the test parses the header
 * (path from the system property {@code prune4j.header}, set by the pom) and compares each function
 * and constant with its binding. Nothing here loads the native library.
 */
class Prune4jHeaderDriftTest {
    /** One C function: its return type, parameters and the comment written above it. */
    record CFunction(String name, String returnType, List<String> paramTypes, String comment) {}

    private static final Pattern FUNCTION = Pattern.compile(
            "((?:const\\s+)?\\w+\\s*\\**)\\s*(prune4j_\\w+)\\s*\\(([^)]*)\\)\\s*;");
    private static final Pattern DEFINE = Pattern.compile("#define\\s+(P4J_\\w+|PRUNE4J_ABI_VERSION)\\s+(-?\\d+)");

    private static String header;
    private static Map<String, CFunction> functions;

    @BeforeAll
    static void parseHeader() throws IOException {
        String path = System.getProperty("prune4j.header");
        assertNotNull(path, "system property prune4j.header (set in bindings/pom.xml) is missing");
        header = Files.readString(Path.of(path));
        functions = parseFunctions(header);
        assertTrue(functions.size() >= 19, "parsed only " + functions.keySet() + " from " + path);
    }

    static Map<String, CFunction> parseFunctions(String text) {
        Map<String, CFunction> out = new LinkedHashMap<>();
        // Blank out comments (keeping offsets) so declarations are found only in code, while the
        // comment text before each declaration can still be read from the original.
        String code = blankComments(text);
        Matcher m = FUNCTION.matcher(code);
        int previousEnd = 0;
        while (m.find()) {
            List<String> params = new ArrayList<>();
            String list = m.group(3).strip();
            if (!list.isEmpty() && !list.equals("void")) {
                for (String p : list.split(",")) {
                    String decl = p.strip().replaceAll("\\s+", " ");
                    // Drop the parameter name: the last identifier.
                    params.add(decl.replaceAll("\\s*\\b\\w+$", "").strip());
                }
            }
            String comment = text.substring(previousEnd, m.start());
            out.put(m.group(2), new CFunction(m.group(2), m.group(1).replaceAll("\\s+", " ").strip(), params, comment));
            previousEnd = m.end();
        }
        return out;
    }

    private static String blankComments(String text) {
        StringBuilder sb = new StringBuilder(text);
        Matcher c = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL).matcher(text);
        while (c.find()) {
            for (int i = c.start(); i < c.end(); i++) {
                if (sb.charAt(i) != '\n') {
                    sb.setCharAt(i, ' ');
                }
            }
        }
        return sb.toString();
    }

    /** The FFM layout a C type must be bound with. */
    static MemoryLayout layoutOf(String cType) {
        String t = cType.replace("const", "").strip();
        if (t.contains("*")) {
            return Prune4jH.C_POINTER;
        }
        return switch (t) {
            case "int", "int32_t", "uint32_t" -> Prune4jH.C_INT;
            case "int64_t", "uint64_t", "size_t" -> Prune4jH.C_LONG;
            case "float" -> Prune4jH.C_FLOAT;
            case "double" -> Prune4jH.C_DOUBLE;
            default -> throw new AssertionError("prune4j.h uses C type '" + cType
                    + "', which the bindings have no mapping for: add one to Prune4jH and this test");
        };
    }

    private static Class<?> carrierOf(MemoryLayout layout) {
        if (layout.equals(Prune4jH.C_INT)) {
            return int.class;
        }
        if (layout.equals(Prune4jH.C_LONG)) {
            return long.class;
        }
        if (layout.equals(Prune4jH.C_FLOAT)) {
            return float.class;
        }
        if (layout.equals(Prune4jH.C_DOUBLE)) {
            return double.class;
        }
        return MemorySegment.class;
    }

    private static FunctionDescriptor expectedDescriptor(CFunction f) {
        MemoryLayout[] args = f.paramTypes().stream().map(Prune4jHeaderDriftTest::layoutOf).toArray(MemoryLayout[]::new);
        return FunctionDescriptor.of(layoutOf(f.returnType()), args);
    }

    private static Class<?> holder(String name) {
        return Arrays.stream(Prune4jH.class.getDeclaredClasses())
                .filter(c -> c.getSimpleName().equals(name))
                .findFirst()
                .orElse(null);
    }

    @Test
    void everyDeclaredFunctionHasABindingWithTheSameSignature() throws ReflectiveOperationException {
        List<String> problems = new ArrayList<>();
        for (CFunction f : functions.values()) {
            Class<?> h = holder(f.name());
            if (h == null) {
                problems.add(f.name() + ": no nested class in Prune4jH");
                continue;
            }
            FunctionDescriptor actual = (FunctionDescriptor) h.getField("DESC").get(null);
            FunctionDescriptor expected = expectedDescriptor(f);
            if (!expected.equals(actual)) {
                problems.add(f.name() + ": header says " + expected + ", binding has " + actual);
            }
            Class<?>[] javaParams = expected.argumentLayouts().stream().map(Prune4jHeaderDriftTest::carrierOf)
                    .toArray(Class<?>[]::new);
            try {
                Method wrapper = Prune4jH.class.getMethod(f.name(), javaParams);
                if (!Modifier.isStatic(wrapper.getModifiers())
                        || wrapper.getReturnType() != carrierOf(expected.returnLayout().orElseThrow())) {
                    problems.add(f.name() + ": wrapper method is not static or returns " + wrapper.getReturnType());
                }
            } catch (NoSuchMethodException e) {
                problems.add(f.name() + ": no static wrapper " + f.name() + Arrays.toString(javaParams));
            }
        }
        if (!problems.isEmpty()) {
            fail("Prune4jH drifted from prune4j.h:\n  " + String.join("\n  ", problems));
        }
    }

    @Test
    void everyBindingIsDeclaredInTheHeader() {
        Set<String> stale = new TreeSet<>();
        for (Class<?> c : Prune4jH.class.getDeclaredClasses()) {
            if (c.getSimpleName().startsWith("prune4j_") && !functions.containsKey(c.getSimpleName())) {
                stale.add(c.getSimpleName());
            }
        }
        assertTrue(stale.isEmpty(), "bindings for functions prune4j.h no longer declares: " + stale);
    }

    @Test
    void constantsMatchTheHeaderDefines() throws ReflectiveOperationException {
        Matcher m = DEFINE.matcher(header);
        int seen = 0;
        while (m.find()) {
            seen++;
            int actual = Prune4jH.class.getField(m.group(1)).getInt(null);
            assertEquals(Integer.parseInt(m.group(2)), actual, m.group(1));
        }
        assertTrue(seen >= 10, "parsed only " + seen + " #defines");
    }

    @Test
    void blockingCallsAreNeverCritical() throws ReflectiveOperationException {
        // A critical downcall holds off the GC: only short calls that never wait may use it.
        for (CFunction f : functions.values()) {
            boolean critical = holder(f.name()).getField("CRITICAL").getBoolean(null);
            String doc = f.comment().toLowerCase(java.util.Locale.ROOT);
            boolean blocks = doc.contains("synchronises") || doc.contains("waits") || doc.contains("returns when");
            assertFalse(critical && blocks, f.name() + " blocks (its comment says so) but is bound as critical");
        }
        assertTrue(Prune4jH.prune4j_last_error.CRITICAL, "prune4j_last_error is a plain read");
        assertFalse(Prune4jH.prune4j_memcpy_d2h.CRITICAL);
    }

    @Test
    void theParserReadsTypesAndComments() {
        Map<String, CFunction> parsed = parseFunctions("""
                /* Adds things. Synchronises the stream. */
                int prune4j_add(p4j_context* ctx, const uint64_t* in,
                                int32_t n);
                // plain
                const char* prune4j_name(void);
                """);
        CFunction add = parsed.get("prune4j_add");
        assertEquals(List.of("p4j_context*", "const uint64_t*", "int32_t"), add.paramTypes());
        assertEquals("int", add.returnType());
        assertTrue(add.comment().contains("Synchronises"));
        assertEquals(List.of(), parsed.get("prune4j_name").paramTypes());
        assertEquals("const char*", parsed.get("prune4j_name").returnType());
        assertEquals(FunctionDescriptor.of(Prune4jH.C_INT, Prune4jH.C_POINTER, Prune4jH.C_POINTER, Prune4jH.C_INT),
                expectedDescriptor(add));
    }
}
