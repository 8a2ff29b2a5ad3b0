package dev.prune4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prune4j.checkpoint.CheckpointPruner.Request;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.internal.json.Json;
import dev.prune4j.io.FreeSpace;
import dev.prune4j.prune.MagnitudePruner;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.safetensors.Links;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.testing.Tmpfs;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a whole-checkpoint run refuses before it works, and what it never does quietly. */
class CheckpointPrunerFaultsTest {
    @TempDir
    Path tmp;

    private Path model(String name, String tensor, int cols) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        float[] v = new float[4 * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 7) - 3;
        }
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(dir.resolve("model.safetensors"),
                    List.of(Tensor.ofFloats(arena, tensor, DType.F32, v, 4, cols)), Map.of());
        }
        return dir;
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aRegexThatOverflowsTheStackOnALongNameIsAnErrorNamingTheTensor() throws IOException {
        String name = "a".repeat(50_000) + ".weight";
        Path in = model("long", name, 4);
        TensorSelector selector = TensorSelector.matching("(a|b)*\\.weight");
        var e = assertThrows(TensorSelector.SelectionException.class, () -> selector.selects(name, DType.F32, new long[] {4, 4}));
        assertTrue(e.getMessage().contains("overflows the stack on tensor 'aaa") && e.getMessage().contains("(50007 characters)"),
                e.getMessage());
        try (CpuEngine engine = new CpuEngine(1)) {
            assertThrows(TensorSelector.SelectionException.class, () -> CheckpointPruner.prune(engine, in, tmp.resolve("out"),
                    Request.of(new MagnitudePruner(), PruneSpec.perTensor(0.5)).withSelector(selector), (t, b) -> {}));
        }
        assertEquals(List.of("long"), entries(), "nothing written");
        assertTrue(TensorSelector.matching("[ab]*\\.weight").selects(name, DType.F32, new long[] {4, 4}),
                "the pattern the message suggests works");
    }

    @Test
    void aFullDiskIsRefusedBeforeTheFirstLayer() throws Exception {
        Path in = model("model", "l.weight", 64 * 1024); // 1 MiB
        Tmpfs.Result mounted = Tmpfs.mount(tmp.resolve("disk"), 512 * 1024);
        assumeTrue(mounted.tmpfs().isPresent(), mounted.whyNot());
        try (Tmpfs disk = mounted.tmpfs().get(); CpuEngine engine = new CpuEngine(1)) {
            List<String> progress = new java.util.ArrayList<>();
            var e = assertThrows(FreeSpace.NotEnoughSpaceException.class, () -> CheckpointPruner.prune(engine, in,
                    disk.dir().resolve("out"), Request.of(new MagnitudePruner(), PruneSpec.perTensor(0.5))
                            .withSelector(TensorSelector.matching(".*")), (t, b) -> progress.add(t)));
            assertTrue(e.getMessage().contains("needs 1.") && e.getMessage().contains("free"), e.getMessage());
            assertEquals(List.of(), progress, "no layer was pruned");
            try (Stream<Path> s = Files.list(disk.dir())) {
                assertEquals(List.of(), s.toList());
            }
        }
    }

    @Test
    void aShardTheIndexDoesNotListIsNotCopiedUnpruned() throws IOException {
        Path in = model("model", "l.weight", 8);
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(in.resolve("consolidated.safetensors"),
                    List.of(Tensor.ofFloats(arena, "l.weight", DType.F32, new float[32], 4, 8)), Map.of());
        }
        Files.writeString(in.resolve("model.safetensors.index.json"),
                Json.writePretty(Map.of("metadata", Map.of(), "weight_map", Map.of("l.weight", "model.safetensors"))));
        Path out = tmp.resolve("out");
        try (CpuEngine engine = new CpuEngine(1)) {
            CheckpointPruner.prune(engine, in, out, Request.of(new MagnitudePruner(), PruneSpec.perTensor(0.5))
                    .withSelector(TensorSelector.matching(".*")), (t, b) -> {});
        }
        assertTrue(Files.exists(out.resolve("model.safetensors")));
        assertFalse(Files.exists(out.resolve("consolidated.safetensors")));
    }

    @Test
    void linksAreFollowedAsTheRequestSays() throws IOException {
        Path in = model("model", "l.weight", 8);
        Path secret = Files.writeString(tmp.resolve("secret"), "s");
        Files.createSymbolicLink(in.resolve("README.md"), secret);
        Request request = Request.of(new MagnitudePruner(), PruneSpec.perTensor(0.5)).withSelector(TensorSelector.matching(".*"));
        try (CpuEngine engine = new CpuEngine(1)) {
            assertThrows(Links.OutsideLinkException.class,
                    () -> CheckpointPruner.prune(engine, in, tmp.resolve("out"), request, (t, b) -> {}));
            assertFalse(Files.exists(tmp.resolve("out")));
            CheckpointPruner.prune(engine, in, tmp.resolve("out"), request.withLinks(Links.ANY), (t, b) -> {});
        }
        assertEquals("s", Files.readString(tmp.resolve("out").resolve("README.md")));
    }
}
