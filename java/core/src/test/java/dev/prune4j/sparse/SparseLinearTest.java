package dev.prune4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.testing.TwoFourWeights;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.safetensors.SafeTensorsException;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.sparse.SparseLinear.Mode;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layers built from a pruned checkpoint by name, dense or 2:4, and their forward pass. */
class SparseLinearTest {
    private static final String UP = "model.layers.0.mlp.up_proj";
    private static final String Q = "model.layers.0.self_attn.q_proj";

    @TempDir
    Path tmp;

    /** A checkpoint with a 2:4 up_proj (with bias) and a dense, unpruned q_proj (without). */
    private Path checkpoint() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("pruned"));
        Random rnd = new Random(42);
        try (Arena arena = Arena.ofConfined()) {
            Tensor up = TwoFourWeights.weight(arena, UP + ".weight", DType.BF16, 24, 40, rnd);
            Tensor bias = TwoFourWeights.activations(arena, DType.BF16, rnd, 24).withName(UP + ".bias");
            Tensor q = TwoFourWeights.activations(arena, DType.BF16, rnd, 40, 40).withName(Q + ".weight");
            SafeTensorsWriter.write(dir.resolve("model.safetensors"), List.of(up, bias, q), Map.of("format", "pt"));
        }
        return dir;
    }

    @Test
    void auto_mode_compresses_a_2_4_weight_and_keeps_another_dense() throws IOException {
        try (Checkpoint ckpt = Checkpoint.open(checkpoint()); CpuEngine cpu = new CpuEngine(2);
             Arena arena = Arena.ofShared()) {
            LinearKernels kernels = cpu.linearKernels();
            SparseLinear up = SparseLinear.fromCheckpoint(ckpt, UP, Mode.AUTO, kernels, arena);
            SparseLinear q = SparseLinear.fromCheckpoint(ckpt, Q, Mode.AUTO, kernels, arena);
            assertTrue(up.isSparse());
            assertEquals(24, up.outFeatures());
            assertEquals(40, up.inFeatures());
            assertEquals(ckpt.tensor(UP + ".weight").byteSize() * 9 / 16, up.weightBytes());
            assertEquals(UP + ".bias", up.bias().name());
            assertFalse(q.isSparse());
            assertNull(q.bias());
        }
    }

    @Test
    void forward_of_a_2_4_layer_equals_the_dense_layer_on_the_same_weight() throws IOException {
        Path dir = checkpoint();
        byte[] before = Files.readAllBytes(dir.resolve("model.safetensors"));
        try (Checkpoint ckpt = Checkpoint.open(dir); CpuEngine cpu = new CpuEngine(2);
             Arena arena = Arena.ofShared()) {
            LinearKernels kernels = cpu.linearKernels();
            SparseLinear sparse = SparseLinear.fromCheckpoint(ckpt, UP, Mode.SPARSE24, kernels, arena);
            SparseLinear dense = SparseLinear.fromCheckpoint(ckpt, UP, Mode.DENSE, kernels, arena);
            assertTrue(sparse.isSparse());
            assertFalse(dense.isSparse());
            Tensor x = TwoFourWeights.activations(arena, DType.BF16, new Random(1), 3, 40);
            Tensor ys = sparse.forward(x, arena);
            Tensor yd = dense.forward(x, arena);
            assertEquals(DType.BF16, ys.dtype());
            assertArrayEquals(new long[] {3, 24}, ys.shape());
            for (int i = 0; i < ys.numel(); i++) {
                // Both round the same F32 sums to BF16; summation order may differ by an ulp of the result.
                assertEquals(yd.getFloat(i), ys.getFloat(i), Math.abs(yd.getFloat(i)) * 0x1p-7 + 1e-6, "element " + i);
            }
            Tensor y32 = Tensor.allocate(arena, "y", DType.F32, 3, 24);
            sparse.forward(x, y32);
            Tensor w = ckpt.tensor(UP + ".weight");
            Tensor b = ckpt.tensor(UP + ".bias");
            for (int t = 0; t < 3; t++) {
                for (int r = 0; r < 24; r++) {
                    double s = b.getFloat(r);
                    for (int k = 0; k < 40; k++) {
                        s += (double) x.getFloat(t * 40L + k) * w.getFloat(r * 40L + k);
                    }
                    assertEquals(s, y32.getFloat(t * 24L + r), 1e-4 * (1 + Math.abs(s)), "y[" + t + ", " + r + "]");
                }
            }
        }
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("model.safetensors")), "checkpoint modified");
    }

    @Test
    void sparse_mode_on_a_weight_that_is_not_2_4_names_the_first_offending_group() throws IOException {
        try (Checkpoint ckpt = Checkpoint.open(checkpoint()); CpuEngine cpu = new CpuEngine(1);
             Arena arena = Arena.ofShared()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SparseLinear.fromCheckpoint(ckpt, Q, Mode.SPARSE24, cpu.linearKernels(), arena));
            assertTrue(e.getMessage().contains(Q + ".weight"), e.getMessage());
            assertTrue(e.getMessage().contains("row 0, group 0"), e.getMessage());
        }
    }

    @Test
    void an_unknown_layer_is_an_error_naming_the_tensor() throws IOException {
        try (Checkpoint ckpt = Checkpoint.open(checkpoint()); CpuEngine cpu = new CpuEngine(1);
             Arena arena = Arena.ofShared()) {
            SafeTensorsException e = assertThrows(SafeTensorsException.class,
                    () -> SparseLinear.fromCheckpoint(ckpt, "model.layers.9.mlp.up_proj", Mode.AUTO,
                            cpu.linearKernels(), arena));
            assertTrue(e.getMessage().contains("model.layers.9.mlp.up_proj.weight"), e.getMessage());
        }
    }

    @Test
    void a_layer_from_a_saved_2_4_file_gives_the_same_output() throws IOException {
        Path file = tmp.resolve("up.sparse24.safetensors");
        try (Checkpoint ckpt = Checkpoint.open(checkpoint()); CpuEngine cpu = new CpuEngine(2);
             Arena arena = Arena.ofShared()) {
            LinearKernels kernels = cpu.linearKernels();
            SparseLinear built = SparseLinear.fromCheckpoint(ckpt, UP, Mode.SPARSE24, kernels, arena);
            Sparse24File.write(file, List.of(built.sparseWeight()));
            try (Sparse24File saved = Sparse24File.open(file)) {
                SparseLinear loaded = SparseLinear.sparse(UP, saved.weight(UP + ".weight"), built.bias(), kernels);
                Tensor x = TwoFourWeights.activations(arena, DType.F32, new Random(2), 5, 40);
                assertArrayEquals(built.forward(x, arena).data().toArray(ValueLayout.JAVA_BYTE),
                        loaded.forward(x, arena).data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void mismatched_shapes_and_dtypes_are_errors_naming_the_layer() {
        try (Arena arena = Arena.ofShared(); CpuEngine cpu = new CpuEngine(1)) {
            String name = "model.layers.0.mlp.down_proj";
            Tensor w = TwoFourWeights.weight(arena, name + ".weight", DType.F16, 8, 16, new Random(1));
            SparseLinear sparse = SparseLinear.sparse(name, Sparse24.compress(w, arena), null, cpu.linearKernels());
            SparseLinear dense = SparseLinear.dense(name, w, null, cpu.linearKernels());
            Tensor x = Tensor.allocate(arena, "x", DType.F16, 2, 12);
            Tensor y = Tensor.allocate(arena, "y", DType.F16, 2, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sparse.forward(x, y));
            assertTrue(e.getMessage().contains(name), e.getMessage());
            assertTrue(e.getMessage().contains("in_features = 16"), e.getMessage());
            Tensor goodX = Tensor.allocate(arena, "x", DType.F16, 2, 16);
            assertThrows(IllegalArgumentException.class,
                    () -> dense.forward(goodX, Tensor.allocate(arena, "y", DType.F16, 3, 8)));
            assertThrows(IllegalArgumentException.class,
                    () -> SparseLinear.dense(name, w, Tensor.allocate(arena, "b", DType.F16, 7), cpu.linearKernels()));
            assertThrows(IllegalArgumentException.class,
                    () -> dense.forward(goodX, Tensor.allocate(arena, "y", DType.I32, 2, 8)));
        }
    }

}
