package dev.prune4j.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Writing and reading single safetensors files. */
class SafeTensorsFileTest {
    @TempDir
    Path dir;

    private static final float[] VALUES = {0f, 1f, -2.5f, 0.125f, 3.75f, -0f, 1024f, -0.0078125f};

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F64", "F32", "F16", "BF16"})
    void floatingTensorsRoundTrip(DType dtype) throws IOException {
        Path file = dir.resolve("m.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.ofFloats(arena, "layer.weight", dtype, VALUES, 2, 4);
            SafeTensorsWriter.write(file, List.of(w), Map.of());
        }
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Tensor t = f.tensor("layer.weight");
            assertEquals(dtype, t.dtype());
            assertArrayEquals(new long[] {2, 4}, t.shape());
            // The values chosen are exact in every dtype.
            assertArrayEquals(VALUES, t.toFloatArray());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"I64", "I32", "U16", "I8", "U8", "BOOL", "F8_E4M3"})
    void otherTensorsRoundTripByteForByte(DType dtype) throws IOException {
        Path file = dir.resolve("ints.safetensors");
        byte[] bytes = new byte[3 * 5 * dtype.byteSize()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 37 + 11);
        }
        if (dtype == DType.BOOL) {
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] &= 1;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.allocate(arena, "ids", dtype, 3, 5);
            t.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(bytes));
            SafeTensorsWriter.write(file, List.of(t), Map.of());
        }
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Tensor t = f.tensor("ids");
            assertEquals(dtype, t.dtype());
            assertArrayEquals(new long[] {3, 5}, t.shape());
            assertArrayEquals(bytes, t.data().toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void metadataScalarsAndEmptyTensorsRoundTrip() throws IOException {
        Path file = dir.resolve("odd.safetensors");
        Map<String, String> meta = Map.of("format", "pt", "note", "quote \" backslash \\ tab \t é ✓");
        try (Arena arena = Arena.ofConfined()) {
            Tensor scalar = Tensor.ofFloats(arena, "scale", DType.F32, new float[] {0.5f});
            Tensor empty = Tensor.allocate(arena, "empty", DType.F16, 0, 7);
            Tensor vec = Tensor.ofFloats(arena, "bias", DType.BF16, new float[] {1, 2, 3}, 3);
            SafeTensorsWriter.write(file, List.of(scalar, empty, vec), meta);
        }
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(meta, f.metadata());
            assertArrayEquals(new long[0], f.info("scale").shape());
            assertEquals(0.5f, f.tensor("scale").getFloat(0));
            assertEquals(0, f.tensor("empty").numel());
            assertArrayEquals(new long[] {0, 7}, f.tensor("empty").shape());
            assertArrayEquals(new float[] {1, 2, 3}, f.tensor("bias").toFloatArray());
        }
    }

    @Test
    void layoutAndHeaderBytesAreTheReferences() throws IOException {
        // The reference orders by dtype alignment (largest first), then by name, and pads the
        // header with spaces to a multiple of 8 so that every tensor starts 8-aligned in the file.
        Path file = dir.resolve("order.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(file, List.of(
                    Tensor.allocate(arena, "b", DType.F16, 1),
                    Tensor.allocate(arena, "a", DType.F16, 1),
                    Tensor.allocate(arena, "z", DType.I64, 1),
                    Tensor.allocate(arena, "m", DType.F32, 2)), Map.of());
        }
        byte[] content = Files.readAllBytes(file);
        long n = java.nio.ByteBuffer.wrap(content).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        String expectedJson = "{\"z\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"m\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                + "\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[16,18]},"
                + "\"b\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[18,20]}}";
        int padded = (expectedJson.length() + 7) / 8 * 8;
        assertEquals(padded, n);
        assertEquals(expectedJson + " ".repeat(padded - expectedJson.length()),
                new String(content, 8, (int) n, StandardCharsets.UTF_8));
        assertEquals(8 + n + 20, content.length);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(List.of("z", "m", "a", "b"), f.tensors().stream().map(TensorInfo::name).toList());
        }
    }

    @Test
    void streamingWriterFillsTensorsInAnyOrderFromAnyThread() throws Exception {
        Path file = dir.resolve("stream.safetensors");
        List<TensorSpec> specs = List.of(
                new TensorSpec("w1", DType.F16, new long[] {64, 32}),
                new TensorSpec("w2", DType.F32, new long[] {16}),
                new TensorSpec("w3", DType.BF16, new long[] {8, 8}));
        try (SafeTensorsWriter w = SafeTensorsWriter.create(file, specs, Map.of("step", "1"))) {
            assertFalse(Files.exists(file), "target appears only on commit");
            List<CompletableFuture<Void>> jobs = new ArrayList<>();
            for (TensorSpec s : specs.reversed()) {
                Tensor dst = w.tensor(s.name());
                jobs.add(CompletableFuture.runAsync(() -> {
                    for (long i = 0; i < dst.numel(); i++) {
                        dst.setFloat(i, i % 100);
                    }
                }));
            }
            jobs.forEach(CompletableFuture::join);
            w.commit();
        }
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            for (TensorSpec s : specs) {
                Tensor t = f.tensor(s.name());
                for (long i = 0; i < t.numel(); i++) {
                    assertEquals(i % 100, t.getFloat(i), s.name() + "[" + i + "]");
                }
            }
            assertEquals(Map.of("step", "1"), f.metadata());
        }
        assertOnlyFiles("stream.safetensors");
    }

    @Test
    void closingWithoutCommitLeavesNothing() throws IOException {
        Path file = dir.resolve("abandoned.safetensors");
        try (SafeTensorsWriter w = SafeTensorsWriter.create(file,
                List.of(new TensorSpec("x", DType.F32, new long[] {4})), Map.of())) {
            w.tensor("x").setFloat(0, 1f);
        }
        assertOnlyFiles();
    }

    @Test
    void writerReplacesAnExistingFile() throws IOException {
        Path file = dir.resolve("m.safetensors");
        Files.writeString(file, "old");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(file, List.of(Tensor.ofFloats(arena, "x", DType.F32, new float[] {7})), Map.of());
        }
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertEquals(7f, f.tensor("x").getFloat(0));
        }
        assertOnlyFiles("m.safetensors");
    }

    @Test
    void writerRefusesDuplicateAndReservedNames() {
        Path file = dir.resolve("bad.safetensors");
        TensorSpec a = new TensorSpec("a", DType.F32, new long[] {1});
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> SafeTensorsWriter.create(file, List.of(a, a), Map.of()));
        assertTrue(dup.getMessage().contains("'a'"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SafeTensorsWriter.create(file,
                List.of(new TensorSpec("__metadata__", DType.F32, new long[] {1})), Map.of()));
    }

    @Test
    void readingLeavesTheFileByteIdenticalAndViewsReadOnly() throws IOException {
        Path file = dir.resolve("in.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(file, List.of(Tensor.ofFloats(arena, "w", DType.F16, VALUES, 8)), Map.of("a", "b"));
        }
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_000_000_000L));
        byte[] before = Files.readAllBytes(file);
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            Tensor t = f.tensor("w");
            assertArrayEquals(VALUES, t.toFloatArray());
            assertTrue(t.data().isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> t.setFloat(0, 42f), "read-only segment");
        }
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(FileTime.fromMillis(1_000_000_000L), Files.getLastModifiedTime(file));
    }

    @Test
    void viewsAreZeroCopySlicesOfOneMappingReadableFromOtherThreads() throws Exception {
        Path file = dir.resolve("shared.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(file, List.of(
                    Tensor.ofFloats(arena, "a", DType.F32, VALUES, 8),
                    Tensor.ofFloats(arena, "b", DType.F32, VALUES, 8)), Map.of());
        }
        Tensor a;
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            a = f.tensor("a");
            Tensor b = f.tensor("b");
            assertTrue(a.data().isMapped());
            // Adjacent in the file, adjacent in memory: both are slices of the same mapping.
            assertEquals(a.data().address() + a.byteSize(), b.data().address());
            Tensor seen = a;
            float[] fromOtherThread = CompletableFuture.supplyAsync(seen::toFloatArray).get();
            assertArrayEquals(VALUES, fromOtherThread);
        }
        Tensor closed = a;
        assertThrows(IllegalStateException.class, () -> closed.getFloat(0), "the mapping is gone after close()");
    }

    @Test
    void missingTensorIsAnErrorNamingFileAndTensor() throws IOException {
        Path file = dir.resolve("one.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(file, List.of(Tensor.allocate(arena, "x", DType.F32, 1)), Map.of());
        }
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> f.tensor("nope"));
            assertTrue(e.getMessage().contains("one.safetensors") && e.getMessage().contains("'nope'"), e.getMessage());
        }
    }

    @Test
    void anEmptyFileOfNoTensorsIsValid() throws IOException {
        Path file = dir.resolve("none.safetensors");
        SafeTensorsWriter.write(file, List.of(), Map.of());
        // As the reference writes it: "{}" padded to 8 bytes.
        assertArrayEquals(RawFiles.bytes("{}      ", 0), Files.readAllBytes(file));
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            assertTrue(f.tensors().isEmpty());
            assertTrue(f.metadata().isEmpty());
        }
    }

    private void assertOnlyFiles(String... names) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(names), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
