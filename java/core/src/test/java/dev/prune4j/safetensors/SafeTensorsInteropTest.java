package dev.prune4j.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with the reference implementation (Python {@code safetensors} 0.6.2, pinned in
 * benchmarks/requirements-ci.txt): each side reads the other's files, byte for byte.
 */
class SafeTensorsInteropTest {
    @TempDir
    Path dir;

    @Test
    void javaReadsWhatTheReferenceWrites() throws IOException {
        ReferencePython python = ReferencePython.require();
        Path file = dir.resolve("from-python.safetensors");
        Map<String, Object> expected = python.runScript("interop_write.py", dir, file.toString());
        Map<?, ?> tensors = (Map<?, ?>) expected.get("tensors");
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(expected.get("metadata"), f.metadata());
            assertEquals(tensors.keySet(), f.tensors().stream().map(TensorInfo::name).collect(java.util.stream.Collectors.toSet()));
            for (Map.Entry<?, ?> e : tensors.entrySet()) {
                String name = (String) e.getKey();
                Map<?, ?> want = (Map<?, ?>) e.getValue();
                Tensor t = f.tensor(name);
                assertEquals(want.get("dtype"), t.dtype().safetensorsName(), name);
                assertEquals(want.get("shape"), java.util.Arrays.stream(t.shape()).boxed().toList(), name);
                assertArrayEquals(HexFormat.of().parseHex((String) want.get("hex")),
                        t.data().toArray(ValueLayout.JAVA_BYTE), name);
                List<?> values = (List<?>) want.get("values");
                assertEquals(values.size(), t.numel(), name);
                for (int i = 0; i < values.size(); i++) {
                    if (t.dtype() == DType.I64) {
                        long v = t.data().getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
                        assertEquals(((Number) values.get(i)).longValue(), v, name + "[" + i + "]");
                    } else {
                        assertEquals(((Number) values.get(i)).floatValue(), t.getFloat(i), name + "[" + i + "]");
                    }
                }
            }

            // Rewriting the same tensors and metadata with prune4j gives the reference's layout.
            Path again = dir.resolve("rewritten.safetensors");
            List<Tensor> all = new ArrayList<>();
            for (TensorInfo info : f.tensors()) {
                all.add(f.tensor(info.name()));
            }
            SafeTensorsWriter.write(again, all, f.metadata());
            assertSameFileUpToMetadataOrder(file, again);
        }
    }

    /**
     * Equal header length, tensor entries (names, dtypes, shapes, offsets, order), metadata and
     * data bytes. The reference writes metadata keys in hash order, which varies from run to run;
     * prune4j sorts them, so only that order may differ.
     */
    private static void assertSameFileUpToMetadataOrder(Path expected, Path actual) throws IOException {
        byte[] a = Files.readAllBytes(expected);
        byte[] b = Files.readAllBytes(actual);
        assertEquals(a.length, b.length);
        assertArrayEquals(java.util.Arrays.copyOf(a, 8), java.util.Arrays.copyOf(b, 8), "header length");
        int dataStart = 8 + (int) java.nio.ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN).getLong();
        SafeTensorsHeader ha = SafeTensorsHeader.parse(expected, java.util.Arrays.copyOfRange(a, 8, dataStart), a.length - dataStart);
        SafeTensorsHeader hb = SafeTensorsHeader.parse(actual, java.util.Arrays.copyOfRange(b, 8, dataStart), b.length - dataStart);
        assertEquals(ha.tensors(), hb.tensors());
        assertEquals(ha.metadata(), hb.metadata());
        assertArrayEquals(java.util.Arrays.copyOfRange(a, dataStart, a.length), java.util.Arrays.copyOfRange(b, dataStart, b.length));
        if (ha.metadata().size() <= 1) {
            assertArrayEquals(a, b, "byte-identical files");
        }
    }

    @Test
    void theReferenceReadsWhatJavaWrites() throws IOException {
        ReferencePython python = ReferencePython.require();
        Path file = dir.resolve("from-java.safetensors");
        Map<String, String> metadata = Map.of("format", "pt", "note", "written by prune4j: \"é\"\n");
        List<Tensor> tensors;
        try (Arena arena = Arena.ofConfined()) {
            Tensor i64 = Tensor.allocate(arena, "position_ids", DType.I64, 2, 2);
            long[] ids = {0, -1, 1L << 40, Long.MIN_VALUE};
            for (int i = 0; i < ids.length; i++) {
                i64.data().setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, ids[i]);
            }
            tensors = List.of(
                    Tensor.ofFloats(arena, "model.layers.0.self_attn.k_proj.weight", DType.F16,
                            new float[] {0.1f, -2f, 65504f, 1e-7f, 3.3f, -0.0f}, 2, 3),
                    Tensor.ofFloats(arena, "model.layers.0.mlp.gate_proj.weight", DType.BF16,
                            new float[] {1.5f, -3.25e-3f, 1e30f, 7f}, 4),
                    Tensor.ofFloats(arena, "model.norm.weight", DType.F32, new float[] {1f, 0.999f, -1e-20f}, 3),
                    Tensor.ofFloats(arena, "scale", DType.F64, new float[] {0.25f}),
                    Tensor.allocate(arena, "empty", DType.F32, 0, 4),
                    i64);
            SafeTensorsWriter.write(file, tensors, metadata);
            Map<String, Object> seen = python.runScript("interop_read.py", dir, file.toString());
            assertEquals(metadata, seen.get("metadata"));
            Map<?, ?> read = (Map<?, ?>) seen.get("tensors");
            assertEquals(tensors.size(), read.size());
            for (Tensor t : tensors) {
                Map<?, ?> r = (Map<?, ?>) read.get(t.name());
                assertEquals(t.dtype().safetensorsName(), r.get("dtype"), t.name());
                assertEquals(java.util.Arrays.stream(t.shape()).boxed().toList(), r.get("shape"), t.name());
                assertArrayEquals(t.data().toArray(ValueLayout.JAVA_BYTE),
                        HexFormat.of().parseHex((String) r.get("hex")), t.name());
            }
            assertTrue((Boolean) seen.get("reserialized_identical"),
                    "the reference lays out the same tensors and metadata exactly as our file");
        }
    }

}
