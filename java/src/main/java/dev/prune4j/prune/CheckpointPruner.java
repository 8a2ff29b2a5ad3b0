package dev.prune4j.prune;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.KeySpace;
import dev.prune4j.io.Json;
import dev.prune4j.mask.Mask;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.safetensors.CheckpointWriter;
import dev.prune4j.safetensors.OutputFolder;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.safetensors.TensorInfo;
import dev.prune4j.safetensors.TensorSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Prunes a checkpoint folder into a new one, streaming tensor by tensor from the mapped input, so
 * a checkpoint larger than memory works. The output holds every tensor (pruned ones zeroed, the
 * others copied, same names, dtypes, shapes and shard layout), the other files copied, and a
 * {@code prune4j/} folder with the masks ({@link #MASKS_FILE}) and a JSON report.
 *
 * <p>Global magnitude pruning needs the whole selection before any mask: its threshold is found
 * first (radix select over all selected tensors), then the masks are computed in selection order
 * (name order) and written to the masks file, then the weights are streamed out. Memory beyond the
 * mapped files is one histogram and one tensor's mask at a time.
 */
public final class CheckpointPruner {
    /** Where the masks go, relative to the output folder. */
    public static final String MASKS_FILE = "prune4j/masks.safetensors";
    /** Where the JSON report goes, relative to the output folder. */
    public static final String REPORT_FILE = "prune4j/report.json";

    private CheckpointPruner() {}

    /** What happened to one pruned tensor. */
    public record LayerResult(String name, DType dtype, long[] shape, long pruned) {
        public long numel() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }

        public double sparsity() {
            return numel() == 0 ? 0 : (double) pruned / numel();
        }
    }

    /** The whole run: per pruned tensor, and the totals over the selection. */
    public record Result(String engine, String spec, List<LayerResult> layers, double seconds) {
        public long selectedWeights() {
            return layers.stream().mapToLong(LayerResult::numel).sum();
        }

        public long prunedWeights() {
            return layers.stream().mapToLong(LayerResult::pruned).sum();
        }

        public double sparsity() {
            long n = selectedWeights();
            return n == 0 ? 0 : (double) prunedWeights() / n;
        }

        public Map<String, Object> toJson() {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("engine", engine);
            root.put("spec", spec);
            root.put("seconds", seconds);
            root.put("selected_weights", selectedWeights());
            root.put("pruned_weights", prunedWeights());
            root.put("sparsity", sparsity());
            List<Object> rows = new ArrayList<>();
            for (LayerResult l : layers) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", l.name());
                row.put("dtype", l.dtype().name());
                row.put("shape", l.shape());
                row.put("numel", l.numel());
                row.put("pruned", l.pruned());
                row.put("sparsity", l.sparsity());
                rows.add(row);
            }
            root.put("layers", rows);
            return root;
        }
    }

    /**
     * Prunes {@code input} into {@code output} by magnitude.
     *
     * @param progress receives (tensor name, bytes done) as the output is written; may be a no-op
     * @throws IllegalArgumentException when the selector matches nothing, a tensor cannot be pruned
     *                                  as asked (N:M on a row length that M does not divide), or holds NaN
     * @throws IOException              for unreadable input or an output that exists and is not empty
     */
    public static Result magnitude(Engine engine, Path input, Path output, PruneSpec spec, TensorSelector selector,
            BiConsumer<String, Long> progress) throws IOException {
        long start = System.nanoTime();
        try (Checkpoint in = Checkpoint.open(input);
             OutputFolder out = OutputFolder.create(output)) {
            List<String> selected = select(in, selector);
            Files.createDirectories(out.path().resolve(MASKS_FILE).getParent());
            List<LayerResult> layers = new ArrayList<>();
            try (SafeTensorsWriter masks = createMaskFile(in, selected, out.path().resolve(MASKS_FILE), spec)) {
                computeMasks(engine, in, selected, spec, masks);
                Set<String> pruned = new HashSet<>(selected);
                CheckpointWriter.writeInto(in, out.path(), (info, destination) -> {
                    Tensor source = in.tensor(info.name());
                    if (pruned.contains(info.name())) {
                        Mask keep = Mask.fromSegment(masks.tensor(info.name()).data(), info.shape());
                        engine.applyMask(source, keep, destination);
                    } else {
                        MemorySegment.copy(source.data(), 0, destination.data(), 0, source.byteSize());
                    }
                    progress.accept(info.name(), info.byteSize());
                });
                for (String name : selected) {
                    TensorInfo info = in.info(name);
                    Mask keep = Mask.fromSegment(masks.tensor(name).data(), info.shape());
                    layers.add(new LayerResult(name, info.dtype(), info.shape(), keep.prunedCount()));
                }
                masks.commit();
            }
            Result result = new Result(engine.description(), "magnitude " + spec, layers,
                    (System.nanoTime() - start) / 1e9);
            Files.writeString(out.path().resolve(REPORT_FILE), Json.writePretty(result.toJson()));
            out.commit();
            return result;
        }
    }

    /** The selected tensor names, in name order; an empty selection is an error. */
    static List<String> select(Checkpoint in, TensorSelector selector) throws IOException {
        List<String> selected = new ArrayList<>();
        for (String name : in.tensorNames()) {
            TensorInfo info = in.info(name);
            if (selector.selects(name, info.dtype(), info.shape())) {
                selected.add(name);
            }
        }
        if (selected.isEmpty()) {
            throw new IllegalArgumentException(in.dir() + ": the include pattern '" + selector.pattern()
                    + "' matches no prunable (F32, F16 or BF16) tensor");
        }
        return selected;
    }

    private static void computeMasks(Engine engine, Checkpoint in, List<String> selected, PruneSpec spec,
            SafeTensorsWriter masks) throws IOException {
        if (!spec.isNm() && spec.scope() == Scope.GLOBAL) {
            List<Tensor> tensors = new ArrayList<>();
            long total = 0;
            for (String name : selected) {
                Tensor t = in.tensor(name);
                tensors.add(t);
                total += t.numel();
            }
            KeySpace keys = KeySpace.covering(tensors);
            MagnitudeSelection.Threshold threshold =
                    MagnitudeSelection.findThreshold(engine, tensors, null, keys, PruneCount.of(spec.ratio(), total));
            long ties = threshold.tiesToPrune();
            for (Tensor t : tensors) {
                Engine.ThresholdMask tm = engine.pruneBelow(t, null, keys, threshold.key(), ties);
                ties -= tm.tiesPruned();
                tm.mask().writeTo(masks.tensor(t.name()).data());
            }
            return;
        }
        for (String name : selected) {
            Tensor t = in.tensor(name);
            Mask keep = spec.isNm() ? Magnitude.pruneNm(engine, t, spec.pattern())
                    : Magnitude.prune(engine, t, spec.ratio(), spec.scope());
            keep.writeTo(masks.tensor(name).data());
        }
    }

    private static SafeTensorsWriter createMaskFile(Checkpoint in, List<String> selected, Path file, PruneSpec spec)
            throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("prune4j.mask", "v1");
        metadata.put("prune4j.bitorder", "little");
        metadata.put("prune4j.spec", spec.toString());
        for (String name : selected) {
            TensorInfo info = in.info(name);
            specs.add(new TensorSpec(name, DType.U8, new long[] {(info.numel() + 7) / 8}));
            metadata.put("shape:" + name, Json.write(info.shape()));
        }
        return SafeTensorsWriter.create(file, specs, metadata);
    }
}
