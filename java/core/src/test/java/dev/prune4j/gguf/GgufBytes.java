package dev.prune4j.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes GGUF files byte by byte for the tests, well-formed or not: every field is written as
 * told, so a test can make any count, length or offset lie. The layout is the GGUF v3 one
 * (little-endian): magic, version, tensor count, metadata count, key-value pairs, tensor infos,
 * padding to the alignment, data.
 */
final class GgufBytes {
    // GGUF value type ids.
    static final int UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
            STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12;
    // ggml tensor type ids.
    static final int T_F32 = 0, T_F16 = 1, T_Q4_0 = 2, T_Q4_1 = 3, T_Q8_0 = 8, T_Q4_K = 12, T_BF16 = 30;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version and the two counts. */
    static GgufBytes header(int version, long tensors, long kvs) {
        return new GgufBytes().raw('G', 'G', 'U', 'F').u32(version).u64(tensors).u64(kvs);
    }

    GgufBytes raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    GgufBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    GgufBytes u8(int v) {
        out.write(v);
        return this;
    }

    GgufBytes u16(int v) {
        return put(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v));
    }

    GgufBytes u32(int v) {
        return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v));
    }

    GgufBytes u64(long v) {
        return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v));
    }

    GgufBytes f32(float v) {
        return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v));
    }

    GgufBytes f64(double v) {
        return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(v));
    }

    GgufBytes f16(float v) {
        return u16(Float.floatToFloat16(v));
    }

    /** A GGUF string: u64 byte length, then the UTF-8 bytes. */
    GgufBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).raw(b);
    }

    /** A key and the id of its value type; the value follows with the other methods. */
    GgufBytes key(String key, int type) {
        return str(key).u32(type);
    }

    GgufBytes kvU32(String key, int v) {
        return key(key, UINT32).u32(v);
    }

    GgufBytes kvString(String key, String v) {
        return key(key, STRING).str(v);
    }

    GgufBytes kvStrings(String key, String... values) {
        key(key, ARRAY).u32(STRING).u64(values.length);
        for (String v : values) {
            str(v);
        }
        return this;
    }

    /** A tensor info: name, dims (ggml order, fastest first), type id, data offset. */
    GgufBytes tensor(String name, int type, long offset, long... dims) {
        str(name).u32(dims.length);
        for (long d : dims) {
            u64(d);
        }
        return u32(type).u64(offset);
    }

    /** Zero bytes up to a multiple of {@code alignment}. */
    GgufBytes pad(int alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    Path write(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes());
        return p;
    }

    private GgufBytes put(ByteBuffer b) {
        out.writeBytes(b.array());
        return this;
    }
}
