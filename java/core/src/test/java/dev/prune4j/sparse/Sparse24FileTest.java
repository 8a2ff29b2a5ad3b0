package dev.prune4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.testing.TwoFourWeights;
import dev.prune4j.safetensors.SafeTensorsException;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and loading 2:4 weights with safetensors. */
class Sparse24FileTest {
    @TempDir
    Path tmp;

    @Test
    void writes_values_meta_and_shape_then_reads_the_same_weights_back() throws IOException {
        Path file = tmp.resolve("sparse.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            Random rnd = new Random(5);
            Sparse24 up = Sparse24.compress(TwoFourWeights.weight(arena, "model.layers.0.mlp.up_proj.weight",
                    DType.BF16, 6, 20, rnd), arena);
            Sparse24 q = Sparse24.compress(TwoFourWeights.weight(arena, "model.layers.0.self_attn.q_proj.weight",
                    DType.F16, 8, 32, rnd), arena);
            Sparse24File.write(file, List.of(up, q));

            try (SafeTensorsFile raw = SafeTensorsFile.open(file)) {
                assertEquals("v1", raw.metadata().get("prune4j.sparse24"));
                assertEquals("[6,20]", raw.metadata().get("shape:model.layers.0.mlp.up_proj.weight"));
                assertEquals(DType.BF16, raw.info("model.layers.0.mlp.up_proj.weight.values").dtype());
                assertArrayEquals(new long[] {6, 10}, raw.info("model.layers.0.mlp.up_proj.weight.values").shape());
                assertEquals(DType.U8, raw.info("model.layers.0.mlp.up_proj.weight.meta").dtype());
                assertArrayEquals(new long[] {6, 3}, raw.info("model.layers.0.mlp.up_proj.weight.meta").shape());
            }
            try (Sparse24File read = Sparse24File.open(file)) {
                assertEquals(List.of(up.name(), q.name()), read.names());
                for (Sparse24 original : List.of(up, q)) {
                    Sparse24 back = read.weight(original.name());
                    assertEquals(original.dtype(), back.dtype());
                    assertArrayEquals(original.shape(), back.shape());
                    assertArrayEquals(original.values().data().toArray(ValueLayout.JAVA_BYTE),
                            back.values().data().toArray(ValueLayout.JAVA_BYTE));
                    assertArrayEquals(original.meta().data().toArray(ValueLayout.JAVA_BYTE),
                            back.meta().data().toArray(ValueLayout.JAVA_BYTE));
                }
                assertThrows(SafeTensorsException.class, () -> read.weight("nope"));
            }
        }
    }

    @Test
    void a_file_without_the_format_key_is_refused_naming_the_file() throws IOException {
        Path file = tmp.resolve("plain.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(file, List.of(Tensor.allocate(arena, "w", DType.F16, 2, 4)), Map.of());
        }
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> Sparse24File.open(file));
        assertTrue(e.getMessage().contains("plain.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("prune4j.sparse24"), e.getMessage());
    }

    @Test
    void a_shape_that_does_not_match_the_tensors_is_refused_naming_the_weight() throws IOException {
        Path file = tmp.resolve("bad.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            Tensor values = Tensor.allocate(arena, "w.values", DType.F16, 2, 4);
            Tensor meta = Tensor.allocate(arena, "w.meta", DType.U8, 2, 1);
            meta.data().fill((byte) 0x44);
            SafeTensorsWriter.write(file, List.of(values, meta),
                    Map.of("prune4j.sparse24", "v1", "shape:w", "[2,12]"));
        }
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> Sparse24File.open(file));
        assertTrue(e.getMessage().contains("'w'") || e.getMessage().contains("w"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 6]"), e.getMessage());
    }
}
