package dev.prune4j.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.internal.json.Json;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint folders: single-file, several files, and sharded with an index. */
class CheckpointTest {
    @TempDir
    Path tmp;

    /** A two-shard LLaMA-like checkpoint with an index, a config and a tokenizer. */
    private Path sharded() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("in"));
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), List.of(
                    Tensor.ofFloats(arena, "model.embed_tokens.weight", DType.BF16, new float[] {1, 2, 3, 4}, 2, 2),
                    Tensor.ofFloats(arena, "model.layers.0.mlp.up_proj.weight", DType.BF16,
                            new float[] {-1, 0.5f, 2, -4, 8, 0.25f}, 2, 3)), Map.of("format", "pt"));
            SafeTensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), List.of(
                    Tensor.ofFloats(arena, "model.norm.weight", DType.F32, new float[] {1, 1}, 2),
                    Tensor.ofFloats(arena, "lm_head.weight", DType.BF16, new float[] {9, 8, 7, 6}, 2, 2)),
                    Map.of("format", "pt"));
        }
        Map<String, Object> weightMap = new LinkedHashMap<>();
        weightMap.put("model.embed_tokens.weight", "model-00001-of-00002.safetensors");
        weightMap.put("model.layers.0.mlp.up_proj.weight", "model-00001-of-00002.safetensors");
        weightMap.put("model.norm.weight", "model-00002-of-00002.safetensors");
        weightMap.put("lm_head.weight", "model-00002-of-00002.safetensors");
        writeIndex(dir, weightMap);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"llama\"}");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        return dir;
    }

    private static void writeIndex(Path dir, Map<String, Object> weightMap) throws IOException {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", Map.of("total_size", 36L));
        index.put("weight_map", weightMap);
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), Json.writePretty(index));
    }

    @Test
    void shardedCheckpointFollowsItsIndex() throws IOException {
        Path dir = sharded();
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertTrue(c.indexed());
            assertEquals(List.of("lm_head.weight", "model.embed_tokens.weight", "model.layers.0.mlp.up_proj.weight",
                    "model.norm.weight"), c.tensorNames());
            assertEquals(List.of(dir.resolve("model-00001-of-00002.safetensors"),
                    dir.resolve("model-00002-of-00002.safetensors")), c.files());
            assertEquals(dir.resolve("model-00002-of-00002.safetensors"), c.fileOf("lm_head.weight"));
            assertEquals(List.of(dir.resolve("config.json"), dir.resolve("tokenizer.json")), c.otherFiles());
            assertArrayEquals(new long[] {2, 3}, c.info("model.layers.0.mlp.up_proj.weight").shape());
            assertArrayEquals(new float[] {-1, 0.5f, 2, -4, 8, 0.25f},
                    c.tensor("model.layers.0.mlp.up_proj.weight").toFloatArray());
            assertEquals(36L, c.indexMetadata().get("total_size"));
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> c.tensor("missing"));
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("'missing'"), e.getMessage());
        }
    }

    @Test
    void singleFileAndSeveralUnindexedFiles() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("plain"));
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(dir.resolve("model.safetensors"),
                    List.of(Tensor.ofFloats(arena, "w", DType.F16, new float[] {1, 2}, 2)), Map.of());
            try (Checkpoint c = Checkpoint.open(dir)) {
                assertFalse(c.indexed());
                assertEquals(List.of("w"), c.tensorNames());
                assertEquals(List.of(dir.resolve("model.safetensors")), c.files());
                assertTrue(c.otherFiles().isEmpty());
            }
            SafeTensorsWriter.write(dir.resolve("extra.safetensors"),
                    List.of(Tensor.ofFloats(arena, "v", DType.F32, new float[] {3}, 1)), Map.of());
            try (Checkpoint c = Checkpoint.open(dir)) {
                assertEquals(List.of("v", "w"), c.tensorNames());
                assertEquals(dir.resolve("extra.safetensors"), c.fileOf("v"));
            }
            SafeTensorsWriter.write(dir.resolve("dup.safetensors"),
                    List.of(Tensor.ofFloats(arena, "w", DType.F32, new float[] {3}, 1)), Map.of());
            SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> Checkpoint.open(dir));
            assertEquals("w", e.tensor());
            assertTrue(e.getMessage().contains("two files, 'dup.safetensors' and 'model.safetensors'"), e.getMessage());
        }
    }

    @Test
    void folderWithoutSafetensorsIsRefused() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("empty"));
        Files.writeString(dir.resolve("config.json"), "{}");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> Checkpoint.open(dir));
        assertTrue(e.getMessage().contains("no *.safetensors"), e.getMessage());
        assertThrows(SafeTensorsException.class, () -> Checkpoint.open(tmp.resolve("absent")));
    }

    @Test
    void indexNamingAMissingShard() throws IOException {
        Path dir = sharded();
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> Checkpoint.open(dir));
        assertEquals(dir.resolve(Checkpoint.INDEX_FILE), e.file());
        assertTrue(e.getMessage().contains("'model-00002-of-00002.safetensors', which does not exist"), e.getMessage());
    }

    @Test
    void indexPlacingATensorInTheWrongShard() throws IOException {
        Path dir = sharded();
        Map<String, Object> weightMap = new LinkedHashMap<>();
        weightMap.put("model.embed_tokens.weight", "model-00002-of-00002.safetensors");
        weightMap.put("model.layers.0.mlp.up_proj.weight", "model-00001-of-00002.safetensors");
        weightMap.put("model.norm.weight", "model-00002-of-00002.safetensors");
        weightMap.put("lm_head.weight", "model-00002-of-00002.safetensors");
        writeIndex(dir, weightMap);
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> Checkpoint.open(dir));
        assertEquals("model.embed_tokens.weight", e.tensor());
        assertTrue(e.getMessage().contains("places it in 'model-00002-of-00002.safetensors', which does not hold it"
                + " (it is in 'model-00001-of-00002.safetensors')"), e.getMessage());
    }

    @Test
    void tensorInTwoShardsOrMissingFromTheIndex() throws IOException {
        Path dir = sharded();
        try (Arena arena = Arena.ofConfined()) {
            // Shard 2 now also holds the embedding that the index places in shard 1.
            SafeTensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), List.of(
                    Tensor.ofFloats(arena, "model.norm.weight", DType.F32, new float[] {1, 1}, 2),
                    Tensor.ofFloats(arena, "lm_head.weight", DType.BF16, new float[] {9, 8, 7, 6}, 2, 2),
                    Tensor.ofFloats(arena, "model.embed_tokens.weight", DType.BF16, new float[] {1, 2, 3, 4}, 2, 2)),
                    Map.of());
        }
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> Checkpoint.open(dir));
        assertTrue(e.getMessage().contains("'model.embed_tokens.weight'") && e.getMessage().contains("two shards"),
                e.getMessage());

        Map<String, Object> partial = new LinkedHashMap<>();
        partial.put("model.embed_tokens.weight", "model-00001-of-00002.safetensors");
        partial.put("model.layers.0.mlp.up_proj.weight", "model-00001-of-00002.safetensors");
        writeIndex(dir, partial);
        // Shard 2 is now unlisted: neither a shard nor another file (which would be copied unpruned),
        // and a warning names it.
        java.util.logging.Logger log = java.util.logging.Logger.getLogger(Checkpoint.class.getName());
        List<String> warnings = new ArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                warnings.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Level level = log.getLevel(); // another test (IndexFuzzTest) may have quieted it
        log.setLevel(java.util.logging.Level.WARNING);
        log.addHandler(handler);
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(List.of(dir.resolve("model-00001-of-00002.safetensors")), c.files());
            assertFalse(c.otherFiles().contains(dir.resolve("model-00002-of-00002.safetensors")));
            assertEquals(List.of(dir.resolve("model-00002-of-00002.safetensors")), c.ignoredFiles());
        } finally {
            log.removeHandler(handler);
            log.setLevel(level);
        }
        assertEquals(List.of("WARNING " + dir.resolve("model-00002-of-00002.safetensors") + ": not listed in "
                + Checkpoint.INDEX_FILE + "; ignored (not read, not copied)"), warnings);
        partial.remove("model.layers.0.mlp.up_proj.weight");
        writeIndex(dir, partial);
        e = assertThrows(SafeTensorsException.class, () -> Checkpoint.open(dir));
        assertTrue(e.getMessage().contains("'model.layers.0.mlp.up_proj.weight'")
                && e.getMessage().contains("not in the weight_map"), e.getMessage());
    }

    @Test
    void indexThatIsNotJsonOrPointsOutside() throws IOException {
        Path dir = sharded();
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), "{\"weight_map\": ");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> Checkpoint.open(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve(Checkpoint.INDEX_FILE).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not a valid JSON object"), e.getMessage());
        writeIndex(dir, Map.of("x", "../in/model-00001-of-00002.safetensors"));
        e = assertThrows(SafeTensorsException.class, () -> Checkpoint.open(dir));
        assertTrue(e.getMessage().contains("not a file name in this folder"), e.getMessage());
    }

    @Test
    void corruptShardIsReportedByItsName() throws IOException {
        Path dir = sharded();
        Path shard = dir.resolve("model-00002-of-00002.safetensors");
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length - 2));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> Checkpoint.open(dir));
        assertEquals(shard, e.file());
    }

    @Test
    void writerReproducesTheLayoutWithNewBytes() throws IOException {
        Path in = sharded();
        Path out = tmp.resolve("out");
        List<String> seen = new ArrayList<>();
        try (Checkpoint c = Checkpoint.open(in)) {
            CheckpointWriter.write(c, out, (info, dst) -> {
                seen.add(info.name());
                Tensor src = c.tensor(info.name());
                for (long i = 0; i < src.numel(); i++) {
                    dst.setFloat(i, -src.getFloat(i)); // stands in for pruning
                }
            });
        }
        assertEquals(List.of("model.embed_tokens.weight", "model.layers.0.mlp.up_proj.weight",
                "model.norm.weight", "lm_head.weight"), seen, "shard by shard, in file order");
        try (Checkpoint a = Checkpoint.open(in); Checkpoint b = Checkpoint.open(out)) {
            assertEquals(a.tensorNames(), b.tensorNames());
            for (String name : a.tensorNames()) {
                assertEquals(a.fileOf(name).getFileName(), b.fileOf(name).getFileName(), name);
                assertEquals(a.info(name), b.info(name), name);
                float[] x = a.tensor(name).toFloatArray();
                float[] y = b.tensor(name).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(-x[i], y[i], name);
                }
            }
            for (Path f : a.files()) {
                assertEquals(a.shard(f).metadata(), b.shard(b.dir().resolve(f.getFileName())).metadata());
            }
            assertEquals(a.indexMetadata(), b.indexMetadata());
        }
        assertArrayEquals(Files.readAllBytes(in.resolve("config.json")), Files.readAllBytes(out.resolve("config.json")));
        assertEquals(names(in), names(out));
        assertEquals(List.of("in", "out"), names(tmp), "no temporary folder left");
    }

    @Test
    void copyingWriterGivesByteIdenticalShards() throws IOException {
        Path in = sharded();
        Path out = Files.createDirectory(tmp.resolve("out")); // an empty folder is fine
        try (Checkpoint c = Checkpoint.open(in)) {
            CheckpointWriter.write(c, out, CheckpointWriter.copyFrom(c));
        }
        for (String name : names(in)) {
            if (name.endsWith(".safetensors") || name.endsWith(".json")) {
                if (!name.equals(Checkpoint.INDEX_FILE)) {
                    assertArrayEquals(Files.readAllBytes(in.resolve(name)), Files.readAllBytes(out.resolve(name)), name);
                }
            }
        }
    }

    @Test
    void nonEmptyTargetIsRefusedAndFailureLeavesNothing() throws IOException {
        Path in = sharded();
        Path out = Files.createDirectory(tmp.resolve("out"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        try (Checkpoint c = Checkpoint.open(in)) {
            FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                    () -> CheckpointWriter.write(c, out, CheckpointWriter.copyFrom(c)));
            assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("not empty"), e.getMessage());
            assertEquals(List.of("keep.txt"), names(out));

            Path fresh = tmp.resolve("fresh");
            IOException boom = assertThrows(IOException.class, () -> CheckpointWriter.write(c, fresh, (info, dst) -> {
                if (info.name().equals("lm_head.weight")) {
                    throw new IOException("filler failed on " + info.name());
                }
            }));
            assertEquals("filler failed on lm_head.weight", boom.getMessage());
            assertFalse(Files.exists(fresh));
            assertEquals(List.of("in", "out"), names(tmp), "no temporary folder left");
        }
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
