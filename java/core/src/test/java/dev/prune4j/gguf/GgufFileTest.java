package dev.prune4j.gguf;

import static dev.prune4j.gguf.GgufBytes.ARRAY;
import static dev.prune4j.gguf.GgufBytes.BOOL;
import static dev.prune4j.gguf.GgufBytes.FLOAT32;
import static dev.prune4j.gguf.GgufBytes.FLOAT64;
import static dev.prune4j.gguf.GgufBytes.INT16;
import static dev.prune4j.gguf.GgufBytes.INT32;
import static dev.prune4j.gguf.GgufBytes.INT64;
import static dev.prune4j.gguf.GgufBytes.INT8;
import static dev.prune4j.gguf.GgufBytes.UINT16;
import static dev.prune4j.gguf.GgufBytes.UINT32;
import static dev.prune4j.gguf.GgufBytes.UINT64;
import static dev.prune4j.gguf.GgufBytes.UINT8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading well-formed GGUF files written by hand: every metadata type, the layout, and dequantisation. */
class GgufFileTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryMetadataType() throws IOException {
        GgufBytes b = GgufBytes.header(3, 0, 16)
                .kvString("general.architecture", "llama")
                .key("u8", UINT8).u8(200)
                .key("i8", INT8).u8(0xFB)
                .key("u16", UINT16).u16(65000)
                .key("i16", INT16).u16(-30000)
                .key("u32", UINT32).u32(0xFFFFFFFF)
                .key("i32", INT32).u32(-7)
                .key("u64", UINT64).u64(-1)
                .key("i64", INT64).u64(Long.MIN_VALUE)
                .key("f32", FLOAT32).f32(1.5f)
                .key("f64", FLOAT64).f64(1e-300)
                .key("yes", BOOL).u8(1)
                .kvStrings("tokens", "a", "é", "😀", "")
                .key("ints", ARRAY).u32(INT32).u64(3).u32(1).u32(-2).u32(3)
                .key("flags", ARRAY).u32(BOOL).u64(2).u8(0).u8(1)
                // An array of two arrays: [[7, 8], []] of UINT8.
                .key("nested", ARRAY).u32(ARRAY).u64(2).u32(UINT8).u64(2).u8(7).u8(8).u32(UINT8).u64(0);
        try (GgufFile f = GgufFile.open(b.write(dir, "meta.gguf"))) {
            GgufMetadata m = f.metadata();
            assertEquals(3, f.version());
            assertEquals(List.of("general.architecture", "u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32",
                    "f64", "yes", "tokens", "ints", "flags", "nested"), List.copyOf(m.asMap().keySet()));
            assertEquals("llama", m.string("general.architecture"));
            assertEquals(200, m.integer("u8"));
            assertEquals(-5, m.integer("i8"));
            assertEquals(65000, m.integer("u16"));
            assertEquals(-30000, m.integer("i16"));
            assertEquals(4294967295L, m.integer("u32"));
            assertEquals(-7, m.integer("i32"));
            assertEquals(Long.MIN_VALUE, m.integer("i64"));
            // 2^64 - 1 is kept, but is no Java long.
            GgufValue.Int u64 = (GgufValue.Int) m.get("u64").orElseThrow();
            assertFalse(u64.fitsLong());
            assertEquals("18446744073709551615", u64.toString());
            assertTrue(assertThrows(GgufException.class, () -> m.integer("u64")).getMessage().contains("does not fit"));
            assertEquals(1.5, m.real("f32"));
            assertEquals(1e-300, m.real("f64"));
            assertTrue(m.bool("yes", false));
            assertEquals(List.of("a", "é", "😀", ""), m.strings("tokens"));
            assertArrayEquals(new long[] {1, -2, 3}, m.array("ints").integers());
            assertEquals(new GgufValue.Bool(true), m.array("flags").get(1));
            GgufArray nested = m.array("nested");
            assertEquals(GgufValueType.ARRAY, nested.elementType());
            assertArrayEquals(new long[] {7, 8}, ((GgufArray) nested.get(0)).integers());
            assertEquals(0, ((GgufArray) nested.get(1)).size());
            // Defaults apply only to absent keys; a present key of the wrong type is an error naming it.
            assertEquals(32, f.alignment());
            assertEquals(9, m.integer("absent", 9));
            GgufException e = assertThrows(GgufException.class, () -> m.integer("general.architecture"));
            assertTrue(e.getMessage().contains("general.architecture is a STRING, not an integer"), e.getMessage());
            assertTrue(assertThrows(GgufException.class, () -> m.string("nope")).getMessage()
                    .contains("metadata key nope is missing"));
        }
    }

    /** Five tensors of five types under a 64-byte alignment, each padded as llama.cpp's writer pads. */
    private Path fiveTensors() throws IOException {
        GgufBytes b = GgufBytes.header(3, 5, 1).kvU32("general.alignment", 64)
                .tensor("weight", GgufBytes.T_F32, 0, 3, 2)
                .tensor("half", GgufBytes.T_F16, 64, 4)
                .tensor("brain", GgufBytes.T_BF16, 128, 2)
                .tensor("q8", GgufBytes.T_Q8_0, 192, 32, 2)
                .tensor("q4k", GgufBytes.T_Q4_K, 320, 256)
                .pad(64);
        int data = b.size();
        for (int i = 0; i < 6; i++) {
            b.f32(i + 0.5f);
        }
        b.pad(64).f16(1f).f16(-2f).f16(0.5f).f16(65504f).pad(64);
        b.u16(Float.floatToRawIntBits(3.0f) >>> 16).u16(Float.floatToRawIntBits(-0.15625f) >>> 16).pad(64);
        for (int row = 0; row < 2; row++) {
            b.f16(row == 0 ? 0.5f : 0.25f);
            for (int j = 0; j < 32; j++) {
                b.u8((j - 16) * (row == 0 ? 1 : -3));
            }
        }
        b.pad(64);
        assertEquals(data + 320, b.size());
        b.raw(new byte[144]);
        return b.write(dir, "five.gguf");
    }

    @Test
    void laysOutTensorsAfterTheAlignedHeader() throws IOException {
        try (GgufFile f = GgufFile.open(fiveTensors())) {
            assertEquals(64, f.alignment());
            assertEquals(0, f.dataOffset() % 64);
            assertEquals(List.of("weight", "half", "brain", "q8", "q4k"), f.tensors().stream().map(GgufTensorInfo::name).toList());
            GgufTensorInfo w = f.info("weight");
            assertArrayEquals(new long[] {3, 2}, w.dims());
            assertArrayEquals(new long[] {2, 3}, w.shape(), "row-major: 2 rows of 3");
            assertEquals(24, w.bytes());
            assertEquals(68, f.info("q8").bytes());
            assertEquals(2, f.info("q8").rows());
            assertEquals(144, f.bytes("q4k").byteSize());
        }
    }

    @Test
    void plainFloatTypesAreViewedAndWidened() throws IOException {
        try (GgufFile f = GgufFile.open(fiveTensors()); Arena arena = Arena.ofConfined()) {
            assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f}, f.toFloatArray("weight"));
            Tensor half = f.view("half");
            assertEquals(DType.F16, half.dtype());
            assertArrayEquals(new float[] {1f, -2f, 0.5f, 65504f}, half.toFloatArray());
            assertArrayEquals(new float[] {1f, -2f, 0.5f, 65504f}, f.toFloatArray("half"));
            assertArrayEquals(new float[] {3.0f, -0.15625f}, f.toFloatArray("brain"));
            Tensor w = f.toF32("weight", arena);
            assertArrayEquals(new long[] {2, 3}, w.shape());
            assertEquals(5.5f, w.getFloat(5));
        }
    }

    @Test
    void q8_0IsScaleTimesSignedByte() throws IOException {
        try (GgufFile f = GgufFile.open(fiveTensors())) {
            float[] v = f.toFloatArray("q8");
            for (int j = 0; j < 32; j++) {
                assertEquals((j - 16) * 0.5f, v[j], "row 0 element " + j);
                assertEquals((byte) ((j - 16) * -3) * 0.25f, v[32 + j], "row 1 element " + j);
            }
            float[] second = new float[32];
            f.dequantizeRows("q8", 1, 1, second, 0);
            assertArrayEquals(java.util.Arrays.copyOfRange(v, 32, 64), second);
        }
    }

    @Test
    void otherQuantisedTypesOpenButAreNotDequantised() throws IOException {
        try (GgufFile f = GgufFile.open(fiveTensors()); Arena arena = Arena.ofConfined()) {
            assertEquals(GgmlType.Q4_K, f.info("q4k").type());
            for (var read : List.<ThrowingRead>of(() -> f.toFloatArray("q4k"), () -> f.toF32("q4k", arena),
                    () -> f.view("q4k"))) {
                GgufException e = assertThrows(GgufException.class, read::run);
                assertEquals("q4k", e.tensor());
                assertTrue(e.getMessage().contains("Q4_K"), e.getMessage());
            }
        }
    }

    private interface ThrowingRead {
        void run() throws IOException;
    }

    /** One tensor of {@code type} with the given blocks, in a file of its own. */
    private Path oneTensor(int type, long rowLength, byte[] blocks) throws IOException {
        GgufBytes b = GgufBytes.header(3, 1, 0).tensor("t", type, 0, rowLength).pad(32).raw(blocks);
        return b.write(dir, "one.gguf");
    }

    @Test
    void q4_0IsScaleTimesNibbleMinusEightLowNibblesFirst() throws IOException {
        GgufBytes block = new GgufBytes().f16(0.25f);
        for (int j = 0; j < 16; j++) {
            block.u8(j | ((15 - j) << 4)); // element j = j, element j + 16 = 15 - j
        }
        try (GgufFile f = GgufFile.open(oneTensor(GgufBytes.T_Q4_0, 32, block.bytes()))) {
            float[] v = f.toFloatArray("t");
            for (int j = 0; j < 16; j++) {
                assertEquals((j - 8) * 0.25f, v[j], "element " + j);
                assertEquals((15 - j - 8) * 0.25f, v[j + 16], "element " + (j + 16));
            }
        }
    }

    @Test
    void q4_1IsScaleTimesNibblePlusMinimumLowNibblesFirst() throws IOException {
        GgufBytes blocks = new GgufBytes();
        // Two blocks; values chosen so that d * q + m is exact in float, so the test needs no rounding model.
        float[][] dm = {{0.125f, -1.5f}, {-2f, 100f}};
        for (float[] p : dm) {
            blocks.f16(p[0]).f16(p[1]);
            for (int j = 0; j < 16; j++) {
                blocks.u8(((j * 7) & 15) | (((j * 5 + 3) & 15) << 4));
            }
        }
        try (GgufFile f = GgufFile.open(oneTensor(GgufBytes.T_Q4_1, 64, blocks.bytes()))) {
            float[] v = f.toFloatArray("t");
            for (int b = 0; b < 2; b++) {
                for (int j = 0; j < 16; j++) {
                    double low = (j * 7) & 15;
                    double high = (j * 5 + 3) & 15;
                    assertEquals(low * dm[b][0] + dm[b][1], v[32 * b + j], "block " + b + " element " + j);
                    assertEquals(high * dm[b][0] + dm[b][1], v[32 * b + j + 16], "block " + b + " element " + (j + 16));
                }
            }
        }
    }

    @Test
    void q4_1RoundsLikeFloatArithmetic() throws IOException {
        // With scales that are not round numbers the value is float(float(q * d) + m), as in ggml's C.
        float d = Float.float16ToFloat(Float.floatToFloat16(0.0123f));
        float m = Float.float16ToFloat(Float.floatToFloat16(-0.0917f));
        GgufBytes block = new GgufBytes().f16(d).f16(m);
        for (int j = 0; j < 16; j++) {
            block.u8(j | (j << 4));
        }
        try (GgufFile f = GgufFile.open(oneTensor(GgufBytes.T_Q4_1, 32, block.bytes()))) {
            float[] v = f.toFloatArray("t");
            for (int j = 0; j < 16; j++) {
                float product = (float) ((double) j * d); // exact product rounded once to float
                assertEquals((float) ((double) product + m), v[j]);
                assertEquals(v[j], v[j + 16]);
            }
        }
    }

    @Test
    void version2AndAnEmptyFileOfTensorsAreFine() throws IOException {
        try (GgufFile f = GgufFile.open(GgufBytes.header(2, 0, 0).write(dir, "empty.gguf"))) {
            assertEquals(2, f.version());
            assertTrue(f.tensors().isEmpty());
            assertTrue(f.metadata().asMap().isEmpty());
        }
    }

    @Test
    void closedFilesRefuseReads() throws IOException {
        GgufFile f = GgufFile.open(fiveTensors());
        f.close();
        f.close();
        assertThrows(IllegalStateException.class, () -> f.toFloatArray("weight"));
        assertTrue(assertThrows(GgufException.class, () -> f.info("missing")).getMessage().contains("no such tensor"));
    }
}
