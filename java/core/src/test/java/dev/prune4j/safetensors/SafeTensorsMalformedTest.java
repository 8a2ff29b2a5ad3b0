package dev.prune4j.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken files are refused with one {@link SafeTensorsException} whose message names the file,
 * the tensor when there is one, and the problem; the file itself is left as it was.
 */
class SafeTensorsMalformedTest {
    @TempDir
    Path dir;

    private static final String A4 = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";

    /** Opens {@code content} as a file and returns the error, checking the file is unchanged. */
    private SafeTensorsException refuse(byte[] content) throws IOException {
        Path file = RawFiles.write(dir, "bad.safetensors", content);
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> {
            try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
                fail("opened " + f);
            }
        });
        assertTrue(e.getMessage().startsWith(file.toString()), "message names the file: " + e.getMessage());
        assertEquals(file, e.file());
        assertArrayEquals(content, Files.readAllBytes(file), "input untouched");
        return e;
    }

    private static void assertMentions(SafeTensorsException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        }
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        assertMentions(refuse(new byte[] {8, 0, 0}), "3 bytes", "too short");
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] whole = RawFiles.bytes("{" + A4 + "}", 4);
        SafeTensorsException e = refuse(Arrays.copyOf(whole, whole.length - 1));
        assertEquals("a", e.tensor());
        assertMentions(e, "tensor 'a'", "outside the data buffer of 3 bytes", "truncated");
    }

    @Test
    void fileTruncatedInsideTheHeader() throws IOException {
        String json = "{" + A4 + "}";
        byte[] whole = RawFiles.bytes(json, 4);
        assertMentions(refuse(Arrays.copyOf(whole, 20)), "header length " + json.length(), "larger than the 12 bytes");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        assertMentions(refuse(RawFiles.bytes(header, 1000, 0)), "header length 1000", "larger than the 2 bytes");
    }

    @Test
    void headerLengthOverTheLimit() throws IOException {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        assertMentions(refuse(RawFiles.bytes(header, 100_000_001, 0)), "100000001", "exceeds the limit of 100000000");
        // A length with the top bit set (a u64 beyond Java's long) is over the limit too.
        assertMentions(refuse(RawFiles.bytes(header, -1, 0)), "18446744073709551615", "exceeds the limit");
    }

    @Test
    void headerThatIsNotJson() throws IOException {
        assertMentions(refuse(RawFiles.bytes("{\"a\":", 0)), "not valid JSON");
        assertMentions(refuse(RawFiles.bytes("[]", 0)), "not a JSON object but an array");
        assertMentions(refuse(RawFiles.bytes("{}\0\0\0\0\0\0", 0)), "not valid JSON", "trailing");
        byte[] badUtf8 = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
        assertMentions(refuse(RawFiles.bytes(badUtf8, badUtf8.length, 0)), "not valid UTF-8");
    }

    @Test
    void unknownDtype() throws IOException {
        SafeTensorsException e = refuse(RawFiles.bytes(
                "{\"w\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4));
        assertEquals("w", e.tensor());
        assertMentions(e, "tensor 'w'", "unknown dtype 'F33'");
        assertMentions(refuse(RawFiles.bytes("{\"w\":{\"dtype\":\"F8_E8M0\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1)),
                "'F8_E8M0' is not supported");
    }

    @Test
    void shapeThatDoesNotMatchTheByteLength() throws IOException {
        SafeTensorsException e = refuse(RawFiles.bytes(
                "{\"w\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,8]}}", 8));
        assertMentions(e, "tensor 'w'", "shape [2, 3] of F16 needs 12 bytes", "hold 8");
    }

    @Test
    void malformedEntries() throws IOException {
        assertMentions(refuse(RawFiles.bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4)),
                "tensor 'w'", "\"shape\" must be a list of non-negative integers", "[-1]");
        assertMentions(refuse(RawFiles.bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", 4)),
                "tensor 'w'", "\"shape\" must be");
        assertMentions(refuse(RawFiles.bytes("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4)),
                "tensor 'w'", "missing \"shape\"");
        assertMentions(refuse(RawFiles.bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,4]}}", 4)),
                "tensor 'w'", "\"data_offsets\" must be a list of 2");
        assertMentions(refuse(RawFiles.bytes("{\"w\":[1]}", 0)), "tensor 'w'", "not a JSON object");
        assertMentions(refuse(RawFiles.bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                + "\"data_offsets\":[0,4]}}", 4)), "tensor 'w'", "overflows");
        assertMentions(refuse(RawFiles.bytes("{\"__metadata__\":{\"k\":1}," + A4 + "}", 4)),
                "__metadata__ value of key 'k' is not a string");
        assertMentions(refuse(RawFiles.bytes("{" + A4 + "," + A4 + "}", 4)), "duplicate key \"a\"");
        assertMentions(refuse(RawFiles.bytes("{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)),
                "lone surrogate \\ud800");
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        SafeTensorsException e = refuse(RawFiles.bytes(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 8));
        assertMentions(e, "tensor 'w'", "[8, 12]", "outside the data buffer of 8 bytes");
        assertMentions(refuse(RawFiles.bytes("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4)),
                "tensor 'w'", "end before they begin");
    }

    @Test
    void overlappingTensors() throws IOException {
        SafeTensorsException e = refuse(RawFiles.bytes("{" + A4
                + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", 6));
        assertEquals("b", e.tensor());
        assertMentions(e, "tensor 'b'", "[2, 6) overlap tensor 'a' at [0, 4)");
    }

    @Test
    void holeInTheDataBuffer() throws IOException {
        SafeTensorsException e = refuse(RawFiles.bytes("{" + A4
                + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12));
        assertMentions(e, "tensor 'b'", "hole of 4 bytes", "tensor 'a' ends at 4");
        assertMentions(refuse(RawFiles.bytes("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)),
                "tensor 'b'", "hole of 4 bytes");
    }

    @Test
    void trailingBytesAfterTheLastTensor() throws IOException {
        SafeTensorsException e = refuse(RawFiles.bytes("{" + A4 + "}", 6));
        assertNull(e.tensor());
        assertMentions(e, "data buffer holds 6 bytes but the tensors cover 4", "2 trailing bytes");
    }

    @Test
    void whatTheReferenceAcceptsIsAccepted() throws IOException {
        // Entries in any order, unknown keys, null metadata, leading whitespace, two empty tensors at one offset.
        String json = " {\"__metadata__\":null,\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8],\"x\":1},"
                + "\"e2\":{\"dtype\":\"I8\",\"shape\":[0],\"data_offsets\":[8,8]},"
                + "\"e1\":{\"dtype\":\"I8\",\"shape\":[0,2],\"data_offsets\":[8,8]}," + A4 + "} \t\n";
        Path file = RawFiles.write(dir, "ok.safetensors", json, 8);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(List.of("a", "b", "e1", "e2"), f.tensors().stream().map(TensorInfo::name).toList());
            assertTrue(f.metadata().isEmpty());
        }
    }

    @Test
    void everyTruncationAndCorruptionFailsCleanly() throws IOException {
        // Robustness: no prefix of a valid file and no single corrupted header byte may crash the
        // reader with anything but a SafeTensorsException (or be read as valid, when harmless).
        Path good = dir.resolve("good.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(good, List.of(
                    Tensor.ofFloats(arena, "w", DType.F16, new float[] {1, 2, 3, 4}, 2, 2),
                    Tensor.ofFloats(arena, "s", DType.F32, new float[] {5})), Map.of("k", "v"));
        }
        byte[] whole = Files.readAllBytes(good);
        for (int len = 0; len < whole.length; len++) {
            refuse(Arrays.copyOf(whole, len));
        }
        Random random = new Random(42);
        int headerEnd = 8 + (int) java.nio.ByteBuffer.wrap(whole).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        for (int trial = 0; trial < 500; trial++) {
            byte[] bent = whole.clone();
            bent[random.nextInt(headerEnd)] = (byte) random.nextInt(256);
            Path file = RawFiles.write(dir, "bent.safetensors", bent);
            try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
                for (TensorInfo t : f.tensors()) {
                    assertEquals(t.byteSize(), f.tensor(t.name()).byteSize());
                }
            } catch (SafeTensorsException expected) {
                assertTrue(expected.getMessage().startsWith(file.toString()), expected.getMessage());
            }
        }
    }
}
