package dev.prune4j.gguf;

import static dev.prune4j.gguf.GgufBytes.ARRAY;
import static dev.prune4j.gguf.GgufBytes.BOOL;
import static dev.prune4j.gguf.GgufBytes.STRING;
import static dev.prune4j.gguf.GgufBytes.UINT8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken and hostile GGUF files are refused with one {@link GgufException} whose message names
 * the file, the tensor when there is one, and the problem. Counts and lengths that lie are caught
 * before anything is allocated for them: each test below would otherwise ask for gigabytes.
 */
class GgufMalformedTest {
    @TempDir
    Path dir;

    private GgufException refuse(GgufBytes content) throws IOException {
        return refuse(content.bytes());
    }

    private GgufException refuse(byte[] content) throws IOException {
        Path file = dir.resolve("bad.gguf");
        Files.write(file, content);
        GgufException e = assertThrows(GgufException.class, () -> {
            try (GgufFile f = GgufFile.open(file)) {
                fail("opened " + f);
            }
        });
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), "message names the file: " + e.getMessage());
        assertEquals(file, e.file());
        assertArrayEquals(content, Files.readAllBytes(file), "input untouched");
        return e;
    }

    private static void assertMentions(GgufException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
        }
    }

    @Test
    void notAGgufFile() throws IOException {
        assertMentions(refuse(new byte[0]), "not a GGUF file");
        assertMentions(refuse(new byte[] {'G', 'G', 'U'}), "not a GGUF file");
        assertMentions(refuse("GGML....".getBytes()), "magic bytes 'GGUF'");
        // A safetensors file starts with its header length.
        assertMentions(refuse(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}'}), "not a GGUF file");
    }

    @Test
    void versionsOtherThanTwoAndThree() throws IOException {
        assertMentions(refuse(GgufBytes.header(1, 0, 0)), "version 1 is not supported");
        assertMentions(refuse(GgufBytes.header(4, 0, 0)), "unknown GGUF version 4");
        assertMentions(refuse(GgufBytes.header(0, 0, 0)), "unknown GGUF version 0");
        // Version 3 written big-endian reads as 0x03000000 here.
        assertMentions(refuse(GgufBytes.header(0x03000000, 0, 0)), "big-endian");
    }

    @Test
    void controlCharactersOfTheFileAreEscapedSoTheErrorStaysOneLine() throws IOException {
        // A key with a newline and an ESC in it, whose value type is unknown (found by GgufFuzzTest).
        GgufException e = refuse(GgufBytes.header(3, 0, 1).key("evil\nkey\u001b[2J", 99).u32(0));
        assertMentions(e, "evil\\nkey\\x1b[2J", "unknown value type 99");
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void truncatedHeader() throws IOException {
        byte[] whole = GgufBytes.header(3, 0, 1).kvString("general.name", "smol").bytes();
        assertMentions(refuse(Arrays.copyOf(whole, 10)), "file ends inside the tensor count", "truncated");
        assertMentions(refuse(Arrays.copyOf(whole, whole.length - 2)), "general.name", "claims 4 bytes", "only 2");
    }

    @Test
    void countsLargerThanTheFileCanHold() throws IOException {
        assertMentions(refuse(GgufBytes.header(3, 1L << 62, 0)), "tensor count 4611686018427387904", "cannot be right");
        assertMentions(refuse(GgufBytes.header(3, 0, 1_000_000_000)), "metadata count 1000000000", "cannot be right");
        assertMentions(refuse(GgufBytes.header(3, -1, 0)), "tensor count 18446744073709551615");
    }

    @Test
    void stringLengthsThatLie() throws IOException {
        assertMentions(refuse(GgufBytes.header(3, 0, 1).u64(1L << 40).raw(new byte[16])),
                "metadata key #0 claims 1099511627776 bytes", "only 16 are left");
        assertMentions(refuse(GgufBytes.header(3, 0, 1).u64(-1).raw(new byte[8])), "claims 18446744073709551615 bytes");
        assertMentions(refuse(GgufBytes.header(3, 0, 1).key("name", STRING).u64(Long.MAX_VALUE).raw('x')),
                "metadata key name claims 9223372036854775807 bytes");
    }

    @Test
    void arrayCountsThatLie() throws IOException {
        GgufException e = refuse(GgufBytes.header(3, 0, 1).key("tokens", ARRAY).u32(STRING).u64(100_000_000_000L)
                .str("a"));
        assertMentions(e, "metadata key tokens claims 100000000000 elements of STRING", "hold at most 1");
        assertMentions(refuse(GgufBytes.header(3, 0, 1).key("bytes", ARRAY).u32(UINT8).u64(1L << 31).u8(1).u8(2)),
                "claims 2147483648 elements of UINT8", "at most 2");
        assertMentions(refuse(GgufBytes.header(3, 0, 1).key("wide", ARRAY).u32(UINT8).u64(-1)),
                "claims 18446744073709551615 elements");
    }

    @Test
    void arraysNestedTooDeep() throws IOException {
        GgufBytes b = GgufBytes.header(3, 0, 1).key("deep", ARRAY);
        for (int i = 0; i < 20; i++) {
            b.u32(ARRAY).u64(1);
        }
        b.u32(UINT8).u64(0);
        assertMentions(refuse(b), "deep", "nests arrays more than 8 deep");
    }

    @Test
    void unknownValueTypes() throws IOException {
        assertMentions(refuse(GgufBytes.header(3, 0, 1).key("odd", 13).u8(0)), "metadata key odd has unknown value type 13");
        assertMentions(refuse(GgufBytes.header(3, 0, 1).key("odd", ARRAY).u32(99).u64(0)),
                "odd's elements has unknown value type 99");
        assertMentions(refuse(GgufBytes.header(3, 0, 1).key("flag", BOOL).u8(2)), "flag is a bool of value 2");
    }

    @Test
    void invalidUtf8() throws IOException {
        assertMentions(refuse(GgufBytes.header(3, 0, 1).u64(2).raw(0xC3, 0x28).u32(UINT8).u8(0)),
                "metadata key #0 is not valid UTF-8");
    }

    @Test
    void duplicateKeysAndTensorNames() throws IOException {
        assertMentions(refuse(GgufBytes.header(3, 0, 2).kvU32("a", 1).kvU32("a", 2)), "metadata key a appears twice");
        GgufException e = refuse(GgufBytes.header(3, 2, 0).tensor("w", GgufBytes.T_F32, 0, 8)
                .tensor("w", GgufBytes.T_F32, 32, 8).pad(32).raw(new byte[64]));
        assertEquals("w", e.tensor());
        assertMentions(e, "tensor 'w'", "appears twice");
    }

    @Test
    void alignmentThatIsNoPowerOfTwo() throws IOException {
        assertMentions(refuse(GgufBytes.header(3, 0, 1).kvU32("general.alignment", 0)), "general.alignment = 0",
                "not a power of two");
        assertMentions(refuse(GgufBytes.header(3, 0, 1).kvU32("general.alignment", 48)), "general.alignment = 48");
        assertMentions(refuse(GgufBytes.header(3, 0, 1).kvString("general.alignment", "32")),
                "general.alignment is a STRING");
    }

    @Test
    void tensorShapes() throws IOException {
        GgufException e = refuse(GgufBytes.header(3, 1, 0).tensor("w", GgufBytes.T_F32, 0, 1, 1, 1, 1, 1));
        assertEquals("w", e.tensor());
        assertMentions(e, "has 5 dimensions; GGUF allows at most 4");
        assertMentions(refuse(GgufBytes.header(3, 1, 0).tensor("w", GgufBytes.T_F32, 0, 4, -2)),
                "tensor 'w'", "dimension 1 is 18446744073709551614");
        assertMentions(refuse(GgufBytes.header(3, 1, 0).tensor("w", GgufBytes.T_F32, 0, 1L << 32, 1L << 32)),
                "tensor 'w'", "overflow a 64-bit element count");
        // Elements fit a long, bytes do not.
        assertMentions(refuse(GgufBytes.header(3, 1, 0).tensor("w", GgufBytes.T_F32, 0, 1L << 31, 1L << 31)),
                "tensor 'w'", "overflows a 64-bit byte count");
    }

    @Test
    void tensorTypes() throws IOException {
        assertMentions(refuse(GgufBytes.header(3, 1, 0).tensor("w", 99, 0, 32)), "tensor 'w'", "unknown ggml type id 99");
        // Q4_2 (id 4) was removed from ggml long ago.
        assertMentions(refuse(GgufBytes.header(3, 1, 0).tensor("w", 4, 0, 32)), "unknown ggml type id 4");
        assertMentions(refuse(GgufBytes.header(3, 1, 0).tensor("w", GgufBytes.T_Q4_1, 0, 33, 2)),
                "tensor 'w'", "rows of 33 elements are not a whole number of Q4_1 blocks of 32");
    }

    @Test
    void offsetsMustFollowInOrderPadded() throws IOException {
        // Tensor 'b' starts at 24 but 'a' (24 bytes) ends padded at 32.
        GgufException e = refuse(GgufBytes.header(3, 2, 0).tensor("a", GgufBytes.T_F32, 0, 6)
                .tensor("b", GgufBytes.T_F32, 24, 6).pad(32).raw(new byte[64]));
        assertEquals("b", e.tensor());
        assertMentions(e, "data offset 24 should be 32", "padded to 32 bytes");
        assertMentions(refuse(GgufBytes.header(3, 1, 0).tensor("a", GgufBytes.T_F32, 64, 6).pad(32).raw(new byte[96])),
                "tensor 'a'", "data offset 64 should be 0");
        assertMentions(refuse(GgufBytes.header(3, 1, 0).tensor("a", GgufBytes.T_F32, -32, 6).pad(32).raw(new byte[32])),
                "data offset 18446744073709551584 should be 0");
    }

    @Test
    void dataBeyondTheEndOfTheFile() throws IOException {
        byte[] whole = GgufBytes.header(3, 1, 0).tensor("w", GgufBytes.T_Q8_0, 0, 32, 4).pad(32)
                .raw(new byte[4 * 34]).bytes();
        try (GgufFile ok = GgufFile.open(Files.write(dir.resolve("ok.gguf"), whole))) {
            assertEquals(136, ok.info("w").bytes());
        }
        GgufException e = refuse(Arrays.copyOf(whole, whole.length - 1));
        assertEquals("w", e.tensor());
        assertMentions(e, "lie beyond the end of the file", "truncated");
        // A huge tensor in a small file.
        assertMentions(refuse(GgufBytes.header(3, 1, 0).tensor("big", GgufBytes.T_F32, 0, 1L << 40).pad(32)),
                "tensor 'big'", "beyond the end of the file");
    }

    /**
     * Random corruptions of a well-formed file (bytes overwritten, the file cut short) either still
     * open or fail with a GgufException: never another exception, never an OutOfMemoryError.
     */
    @Test
    void randomCorruptionsFailCleanly() throws IOException {
        GgufBytes good = GgufBytes.header(3, 2, 3).kvU32("general.alignment", 32).kvStrings("tokens", "a", "bc")
                .key("ids", ARRAY).u32(GgufBytes.INT32).u64(2).u32(7).u32(8)
                .tensor("q", GgufBytes.T_Q4_1, 0, 32, 2).tensor("n", GgufBytes.T_F32, 64, 4).pad(32)
                .raw(new byte[64]).raw(new byte[16]);
        byte[] original = good.bytes();
        java.util.Random random = new java.util.Random(13);
        Path file = dir.resolve("fuzz.gguf");
        int opened = 0;
        for (int round = 0; round < 3000; round++) {
            byte[] b = original.clone();
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(Math.min(b.length, 200));
                b[at] = (byte) (random.nextBoolean() ? random.nextInt(256) : (b[at] ^ (1 << random.nextInt(8))));
            }
            if (random.nextInt(4) == 0) {
                b = Arrays.copyOf(b, random.nextInt(b.length));
            }
            Files.write(file, b);
            try (GgufFile f = GgufFile.open(file)) {
                for (GgufTensorInfo t : f.tensors()) {
                    if (t.type().dequantizable() && t.numel() < 1 << 20) {
                        f.toFloatArray(t.name());
                    }
                }
                opened++;
            } catch (GgufException expected) {
                assertTrue(expected.getMessage().startsWith(file.toString()));
            }
        }
        assertTrue(opened > 0 && opened < 3000, opened + " of 3000 corrupted files opened");
    }

    @Test
    void tensorNamesLongerThanGgufAllows() throws IOException {
        GgufException e = refuse(GgufBytes.header(3, 1, 0).tensor("x".repeat(65), GgufBytes.T_F32, 0, 1));
        assertNull(e.tensor());
        assertMentions(e, "the name of tensor #0 is 65 bytes long, more than the 64 GGUF allows");
    }
}
