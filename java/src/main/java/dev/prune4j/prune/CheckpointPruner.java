package dev.prune4j.prune;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.CalibrationFile;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.calib.ReconstructionError;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.KeySpace;
import dev.prune4j.io.Json;
import dev.prune4j.mask.Mask;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.safetensors.CheckpointWriter;
import dev.prune4j.safetensors.OutputFolder;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.sparsegpt.SparseGpt;
import dev.prune4j.wanda.Wanda;
import dev.prune4j.safetensors.TensorInfo;
import dev.prune4j.safetensors.TensorSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Prunes a checkpoint folder into a new one, streaming tensor by tensor from the mapped input, so
 * a checkpoint larger than memory works. The output holds every tensor (pruned ones zeroed, the
 * others copied, same names, dtypes, shapes and shard layout), the other files copied, and a
 * {@code prune4j/} folder with the masks ({@link #MASKS_FILE}) and a JSON report.
 *
 * <p>Wanda and SparseGPT prune layer by layer as the output is written, from a calibration file
 * ({@link CalibrationFile}). Global magnitude pruning needs the whole selection before any mask: its threshold is found
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

    /** How the weights are chosen. */
    public enum Method {
        MAGNITUDE, WANDA, SPARSEGPT;

        public static Method parse(String s) {
            try {
                return valueOf(s.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown method '" + s + "' (expected magnitude, wanda or sparsegpt)");
            }
        }

        public String cliName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * What to prune and how.
     *
     * @param calibration a calibration file (see {@link CalibrationFile}); required by Wanda and SparseGPT,
     *                    optional for magnitude pruning (then only to measure the reconstruction error)
     * @param computeError whether Wanda and SparseGPT report each layer's reconstruction error
     *                     {@code ||W X^T - W' X^T||_F^2} (needs the Hessian or the raw inputs; costs one
     *                     extra {@code out x in x in} product per layer)
     */
    public record Request(Method method, PruneSpec spec, TensorSelector selector, Path calibration,
            SparseGpt.Options sparseGpt, boolean computeError) {
        public Request {
            if (method != Method.MAGNITUDE) {
                if (calibration == null) {
                    throw new IllegalArgumentException(method.cliName() + " needs calibration data (--calibration FILE)");
                }
                spec.layerTarget(); // rejects a global scope up front
            }
        }

        public static Request magnitude(PruneSpec spec, TensorSelector selector) {
            return new Request(Method.MAGNITUDE, spec, selector, null, SparseGpt.Options.DEFAULT, false);
        }

        public String describe() {
            return method.cliName() + " " + spec;
        }
    }

    /**
     * What happened to one pruned tensor.
     *
     * @param reconstructionError {@code ||W X^T - W' X^T||_F^2} on the calibration inputs, NaN when not
     *                            computed (magnitude pruning, or no Hessian/inputs)
     * @param damping             SparseGPT's damping as finally used, NaN otherwise
     */
    public record LayerResult(String name, DType dtype, long[] shape, long pruned, double reconstructionError,
            double damping) {
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
                row.put("reconstruction_error", Double.isNaN(l.reconstructionError()) ? null : l.reconstructionError());
                if (!Double.isNaN(l.damping())) {
                    row.put("damping", l.damping());
                }
                rows.add(row);
            }
            root.put("layers", rows);
            return root;
        }
    }

    /** Prunes {@code input} into {@code output} by magnitude (no calibration data needed). */
    public static Result magnitude(Engine engine, Path input, Path output, PruneSpec spec, TensorSelector selector,
            BiConsumer<String, Long> progress) throws IOException {
        return prune(engine, input, output, Request.magnitude(spec, selector), progress);
    }

    /**
     * Prunes {@code input} into {@code output}.
     *
     * @param progress receives (tensor name, bytes done) as the output is written; may be a no-op
     * @throws IllegalArgumentException when the selector matches nothing, a tensor cannot be pruned
     *                                  as asked (N:M on a row length that M does not divide), holds NaN,
     *                                  or has no usable calibration entry (the message names it)
     * @throws IOException              for unreadable input or an output that exists and is not empty
     */
    public static Result prune(Engine engine, Path input, Path output, Request request,
            BiConsumer<String, Long> progress) throws IOException {
        long start = System.nanoTime();
        try (Checkpoint in = Checkpoint.open(input);
             SafeTensorsFile calibrationFile = request.calibration() == null ? null
                     : SafeTensorsFile.open(request.calibration());
             OutputFolder out = OutputFolder.create(output)) {
            List<String> selected = select(in, request.selector());
            Files.createDirectories(out.path().resolve(MASKS_FILE).getParent());
            Map<String, LayerResult> results = new ConcurrentHashMap<>();
            try (SafeTensorsWriter masks = createMaskFile(in, selected, out.path().resolve(MASKS_FILE), request)) {
                CheckpointWriter.TensorFiller pruneLayer;
                CalibrationFile calibration = calibrationFile == null ? null
                        : new CalibrationFile(name -> lookup(calibrationFile, name));
                if (request.method() == Method.MAGNITUDE) {
                    computeMagnitudeMasks(engine, in, selected, request.spec(), masks);
                    pruneLayer = (info, destination) -> {
                        Tensor weight = in.tensor(info.name());
                        Mask keep = Mask.fromSegment(masks.tensor(info.name()).data(), info.shape());
                        engine.applyMask(weight, keep, destination);
                        results.put(info.name(), new LayerResult(info.name(), info.dtype(), info.shape(),
                                keep.prunedCount(), magnitudeError(engine, weight, destination, calibration, request),
                                Double.NaN));
                    };
                } else {
                    pruneLayer = (info, destination) -> results.put(info.name(),
                            pruneCalibrated(engine, in.tensor(info.name()), calibration, request, masks, destination));
                }
                Set<String> pruned = new HashSet<>(selected);
                CheckpointWriter.writeInto(in, out.path(), (info, destination) -> {
                    if (pruned.contains(info.name())) {
                        pruneLayer.fill(info, destination);
                    } else {
                        Tensor source = in.tensor(info.name());
                        MemorySegment.copy(source.data(), 0, destination.data(), 0, source.byteSize());
                    }
                    progress.accept(info.name(), info.byteSize());
                });
                masks.commit();
            }
            List<LayerResult> layers = selected.stream().map(results::get).toList();
            Result result = new Result(engine.description(), request.describe(), layers,
                    (System.nanoTime() - start) / 1e9);
            Files.writeString(out.path().resolve(REPORT_FILE), Json.writePretty(result.toJson()));
            out.commit();
            return result;
        }
    }

    /** Wanda or SparseGPT on one layer: writes the new weights and the mask, returns the figures. */
    private static LayerResult pruneCalibrated(Engine engine, Tensor weight, CalibrationFile calibration,
            Request request, SafeTensorsWriter masks, Tensor destination) {
        PruneTarget target = request.spec().layerTarget();
        try (Arena arena = Arena.ofShared()) {
            LayerPruneResult r = switch (request.method()) {
                case WANDA -> {
                    ActivationStats stats = calibration.activationStats(engine, arena, weight.name(), weight.cols());
                    HessianAccumulator h = request.computeError() && calibration.hasHessianOrInputs(weight.name())
                            ? calibration.hessian(engine, arena, weight.name(), weight.cols()) : null;
                    yield Wanda.prune(engine, weight, stats, target, h, arena);
                }
                case SPARSEGPT -> SparseGpt.prune(engine, weight,
                        calibration.hessian(engine, arena, weight.name(), weight.cols()), target,
                        request.sparseGpt().withComputeError(request.computeError()), arena);
                case MAGNITUDE -> throw new AssertionError();
            };
            MemorySegment.copy(r.weights().data(), 0, destination.data(), 0, destination.byteSize());
            r.mask().writeTo(masks.tensor(weight.name()).data());
            return new LayerResult(weight.name(), weight.dtype(), weight.shape(), r.mask().prunedCount(),
                    r.reconstructionError(), r.dampingUsed());
        }
    }

    /** Magnitude pruning's reconstruction error, when calibration data came along to measure it. */
    private static double magnitudeError(Engine engine, Tensor weight, Tensor pruned, CalibrationFile calibration,
            Request request) {
        if (calibration == null || !request.computeError() || !calibration.hasHessianOrInputs(weight.name())) {
            return Double.NaN;
        }
        try (Arena arena = Arena.ofShared()) {
            return ReconstructionError.of(engine, weight, pruned,
                    calibration.hessian(engine, arena, weight.name(), weight.cols()));
        }
    }

    private static Tensor lookup(SafeTensorsFile file, String name) {
        try {
            return file.contains(name) ? file.tensor(name) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    private static void computeMagnitudeMasks(Engine engine, Checkpoint in, List<String> selected, PruneSpec spec,
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

    private static SafeTensorsWriter createMaskFile(Checkpoint in, List<String> selected, Path file, Request request)
            throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("prune4j.mask", "v1");
        metadata.put("prune4j.bitorder", "little");
        metadata.put("prune4j.spec", request.describe());
        for (String name : selected) {
            TensorInfo info = in.info(name);
            specs.add(new TensorSpec(name, DType.U8, new long[] {(info.numel() + 7) / 8}));
            metadata.put("shape:" + name, Json.write(info.shape()));
        }
        return SafeTensorsWriter.create(file, specs, metadata);
    }
}
