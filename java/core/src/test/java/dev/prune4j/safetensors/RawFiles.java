package dev.prune4j.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, including broken ones, for the tests. */
final class RawFiles {
    private RawFiles() {
    }

    /** The bytes of a file with header {@code json} (unpadded) and {@code dataBytes} bytes 0, 1, 2, ... */
    static byte[] bytes(String json, int dataBytes) {
        return bytes(json.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8).length, dataBytes);
    }

    /** As {@link #bytes(String, int)} but with a header length field that may lie. */
    static byte[] bytes(byte[] header, long declaredLength, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header);
        for (int i = 0; i < dataBytes; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    static Path write(Path dir, String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    static Path write(Path dir, String name, String json, int dataBytes) throws IOException {
        return write(dir, name, bytes(json, dataBytes));
    }
}
