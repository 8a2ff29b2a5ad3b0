package dev.prune4j.synth;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.internal.json.Json;
import dev.prune4j.io.OutputFolder;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.safetensors.TensorSpec;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Writes a {@link SyntheticLlama} as a Hugging Face checkpoint folder: {@code config.json} and
 * {@code model.safetensors}, or {@code model-0000i-of-0000n.safetensors} shards plus
 * {@code model.safetensors.index.json} when the weights exceed one shard.
 */
public final class SyntheticCheckpointWriter {
    /** Hugging Face's default shard size, 5 GB. */
    public static final long DEFAULT_SHARD_BYTES = 5_000_000_000L;

    private SyntheticCheckpointWriter() {}

    /**
     * Writes the checkpoint into {@code dir} (which must exist and be empty). {@code progress}
     * receives (tensor name, bytes written) after each tensor.
     */
    public static void write(SyntheticLlama model, Path dir, long shardBytes, CpuEngine engine,
            BiConsumer<String, Long> progress) throws IOException {
        List<List<TensorSpec>> shards = split(model.tensors(), shardBytes);
        Map<String, Object> weightMap = new LinkedHashMap<>();
        long total = 0;
        for (int s = 0; s < shards.size(); s++) {
            String file = shards.size() == 1 ? "model.safetensors"
                    : String.format("model-%05d-of-%05d.safetensors", s + 1, shards.size());
            try (SafeTensorsWriter w = SafeTensorsWriter.create(dir.resolve(file), shards.get(s), Map.of("format", "pt"))) {
                try {
                    for (TensorSpec spec : shards.get(s)) {
                        Tensor t = w.tensor(spec.name());
                        engine.parallelFor(new Tensor[] {t}, SyntheticLlama.blocks(t.numel()), b -> model.fillBlock(t, b));
                        weightMap.put(spec.name(), file);
                        total += spec.byteSize();
                        progress.accept(spec.name(), spec.byteSize());
                    }
                } catch (InternalError e) {
                    throw w.explain(e, List.of()); // a full disk, named
                }
                w.commit();
            }
        }
        if (shards.size() > 1) {
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("metadata", Map.of("total_size", total));
            index.put("weight_map", weightMap);
            Files.writeString(dir.resolve("model.safetensors.index.json"), Json.writePretty(index));
        }
        Files.writeString(dir.resolve("config.json"), model.configJson());
    }

    /**
     * A new checkpoint folder {@code target} (must not exist or be empty), built in a temporary folder
     * and moved into place: the checkpoint, and with {@code calibrationTokens > 0} also
     * {@value SyntheticCalibration#FILE} with that many input rows per linear layer.
     *
     * @return the calibration file, or {@code null} without one
     */
    public static Path writeFolder(SyntheticLlama model, Path target, long shardBytes, int calibrationTokens,
                                   CpuEngine engine, BiConsumer<String, Long> progress) throws IOException {
        try (OutputFolder folder = OutputFolder.create(target)) {
            long weights = model.tensors().stream().mapToLong(TensorSpec::byteSize).sum();
            long calibration = calibrationTokens > 0 ? new SyntheticCalibration(model, calibrationTokens).byteSize() : 0;
            folder.requireSpace(weights + calibration, model.tensors().size() / 100 + 4);
            write(model, folder.path(), shardBytes, engine, progress);
            if (calibrationTokens > 0) {
                Path file = folder.path().resolve(SyntheticCalibration.FILE);
                Files.createDirectories(file.getParent());
                new SyntheticCalibration(model, calibrationTokens).write(file, engine);
            }
            folder.commit();
        }
        return calibrationTokens > 0 ? target.resolve(SyntheticCalibration.FILE) : null;
    }

    private static List<List<TensorSpec>> split(List<TensorSpec> tensors, long shardBytes) {
        List<List<TensorSpec>> shards = new ArrayList<>();
        List<TensorSpec> current = new ArrayList<>();
        long size = 0;
        for (TensorSpec t : tensors) {
            if (!current.isEmpty() && size + t.byteSize() > shardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += t.byteSize();
        }
        shards.add(current);
        return shards;
    }
}
