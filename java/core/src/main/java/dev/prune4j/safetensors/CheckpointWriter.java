package dev.prune4j.safetensors;

import dev.prune4j.io.OutputFolder;
import dev.prune4j.internal.json.Json;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a checkpoint folder with the same layout as a source checkpoint: the same shard file
 * names, the same tensors (names, dtypes, shapes) in each shard, the same per-file metadata, a
 * rewritten index when the source has one, and copies of the other files (config, tokenizer).
 * Each tensor's bytes come from a {@link TensorFiller}, one tensor at a time, so the output is
 * streamed and never held in memory.
 *
 * <p>Everything is written into an {@link OutputFolder}: a temporary folder beside the target,
 * renamed into place only when complete; on any failure nothing is left behind. A target that
 * exists and is not an empty folder is refused before anything is written.
 */
public final class CheckpointWriter {
    private CheckpointWriter() {
    }

    /** Produces one output tensor's bytes. */
    @FunctionalInterface
    public interface TensorFiller {
        /**
         * Fills {@code destination} (a writable view of the output, of the same dtype and shape as
         * {@code source}) with the new bytes of tensor {@code source.name()}.
         */
        void fill(TensorInfo source, Tensor destination) throws IOException;
    }

    /** A filler that copies every tensor unchanged from {@code source}. */
    public static TensorFiller copyFrom(Checkpoint source) {
        return (info, destination) -> {
            Tensor in = source.tensor(info.name());
            MemorySegment.copy(in.data(), 0, destination.data(), 0, in.byteSize());
        };
    }

    /**
     * Writes the checkpoint to {@code target}.
     *
     * @param source the checkpoint whose layout (and other files) to reproduce
     * @param target a folder that must not exist or be empty
     * @param filler called once per tensor, shard by shard, in file order
     */
    public static void write(Checkpoint source, Path target, TensorFiller filler) throws IOException {
        try (OutputFolder out = OutputFolder.create(target)) {
            out.requireSpace(bytesToWrite(source), filesToWrite(source));
            writeInto(source, out.path(), filler);
            out.commit();
        }
    }

    /**
     * Writes the shards, the index and the other files of {@code source} into the existing folder
     * {@code dir}, usually the {@link OutputFolder#path()} of an output that gets more files. A fault
     * in a mapped read or write (an input truncated meanwhile, a full disk) becomes an error naming
     * the file ({@link MappedFaults}).
     */
    public static void writeInto(Checkpoint source, Path dir, TensorFiller filler) throws IOException {
        writeInto(source, dir, filler, List.of());
    }

    /** As {@link #writeInto(Checkpoint, Path, TensorFiller)}; {@code alsoRead} are further mapped files the filler reads. */
    public static void writeInto(Checkpoint source, Path dir, TensorFiller filler, List<SafeTensorsFile> alsoRead)
            throws IOException {
        List<SafeTensorsFile> read = new ArrayList<>(source.openShards());
        read.addAll(alsoRead);
        for (Path shard : source.files()) {
            writeShard(source.shard(shard), dir.resolve(shard.getFileName().toString()), filler, read);
        }
        if (source.indexed()) {
            writeIndex(source, dir.resolve(Checkpoint.INDEX_FILE));
        }
        for (Path other : source.otherFiles()) {
            // Files.copy follows a link (Checkpoint.open allowed it), so the output holds a regular file.
            Files.copy(other, dir.resolve(other.getFileName().toString()));
        }
    }

    /** Bytes {@link #writeInto} writes for {@code source}: its shards as laid out anew, the index, the other files. */
    public static long bytesToWrite(Checkpoint source) throws IOException {
        long total = 0;
        for (Path shard : source.files()) {
            SafeTensorsFile in = source.shard(shard);
            List<TensorSpec> specs = in.tensors().stream().map(TensorInfo::spec).toList();
            SafeTensorsHeader header = SafeTensorsHeader.layout(specs, in.metadata());
            total += SafeTensorsHeader.LENGTH_PREFIX + header.encode().length + header.dataSize();
        }
        if (source.indexed()) {
            total += 96L * source.tensorNames().size() + 4096; // one pretty-printed line per tensor
        }
        for (Path other : source.otherFiles()) {
            total += Files.size(other);
        }
        return total;
    }

    /** Files {@link #writeInto} writes for {@code source}. */
    public static int filesToWrite(Checkpoint source) {
        return source.files().size() + source.otherFiles().size() + (source.indexed() ? 1 : 0);
    }

    private static void writeShard(SafeTensorsFile in, Path out, TensorFiller filler, List<SafeTensorsFile> read)
            throws IOException {
        List<TensorSpec> specs = in.tensors().stream().map(TensorInfo::spec).toList();
        try (SafeTensorsWriter w = SafeTensorsWriter.create(out, specs, in.metadata())) {
            try {
                for (TensorInfo t : w.tensors()) {
                    filler.fill(in.info(t.name()), w.tensor(t.name()));
                }
            } catch (InternalError e) {
                throw w.explain(e, read);
            }
            w.commit();
        }
    }

    /** The index as Hugging Face writes it: metadata first, then the weight map sorted by tensor. */
    private static void writeIndex(Checkpoint source, Path out) throws IOException {
        Map<String, Object> weightMap = new TreeMap<>();
        for (String name : source.tensorNames()) {
            weightMap.put(name, source.fileOf(name).getFileName().toString());
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", source.indexMetadata());
        index.put("weight_map", weightMap);
        Files.writeString(out, Json.writePretty(index), StandardCharsets.UTF_8);
    }
}
