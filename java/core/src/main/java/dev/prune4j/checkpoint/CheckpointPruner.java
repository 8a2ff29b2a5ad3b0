package dev.prune4j.checkpoint;

import dev.prune4j.calib.CalibrationFile;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.calib.NativeMemory;
import dev.prune4j.calib.ReconstructionError;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineLease;
import dev.prune4j.io.OutputFolder;
import dev.prune4j.mask.Mask;
import dev.prune4j.mask.ThresholdMask;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.LayerStatistics;
import dev.prune4j.prune.MagnitudePruner;
import dev.prune4j.prune.MagnitudeSelection;
import dev.prune4j.prune.PruneCount;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.mask.KeySpace;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.safetensors.CheckpointWriter;
import dev.prune4j.safetensors.Links;
import dev.prune4j.safetensors.MappedFaults;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.safetensors.TensorInfo;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Prunes a checkpoint folder into a new one with one {@link LayerPruner}, streaming tensor by
 * tensor from the mapped input, so a checkpoint larger than memory works. The output holds every
 * tensor (pruned ones updated, the others copied, same names, dtypes, shapes and shard layout), the
 * other files copied, the masks ({@link MaskFile#PATH}) and the report ({@link PruneReport#PATH}).
 * The input is never modified; the output is built in a temporary folder and moved into place.
 *
 * <pre>{@code
 * try (Engine engine = Engines.create("auto")) {
 *     PruneReport r = CheckpointPruner.prune(engine, input, output,
 *             Request.of(new WandaPruner(), PruneSpec.perRow(0.5), calibrationFile),
 *             (tensor, bytes) -> {});
 * }
 * }</pre>
 *
 * <p>Methods prune layer by layer as the output is written, each layer's statistics read from the
 * calibration file ({@link CalibrationFile}). Global magnitude pruning needs the whole selection
 * before any mask: its threshold is found first (radix select over all selected tensors, nothing
 * concatenated), the masks are written in selection (name) order, then the weights are streamed
 * out. OWL methods ({@code owl-wanda}, ...) first allocate their layer sparsities over the whole
 * selection: the selected tensors are grouped into decoder layers by name ({@code model.layers.N.},
 * {@code encoder.layer.N.}, ...), each layer's outlier ratio comes from the weights and the
 * calibration file's activation norms, and tensors outside any decoder layer are pruned at the
 * requested sparsity. When the engine lacks a kernel the method needs, the method runs on a CPU
 * engine ({@link EngineLease}).
 */
public final class CheckpointPruner {
    private CheckpointPruner() {}

    /**
     * What to prune and how.
     *
     * @param method       the method; {@link PruneSpec.Global} only with {@link MagnitudePruner}
     * @param spec         what to prune to
     * @param selector     which tensors (by default the linear layers' weights)
     * @param calibration  a calibration file, required by methods with statistics; optional for
     *                     magnitude pruning (then only to measure the reconstruction error)
     * @param computeError whether to report each layer's reconstruction error
     *                     {@code ||W X^T - W' X^T||_F^2} where the calibration file allows it (one
     *                     extra {@code out x in x in} product per layer)
     * @param links        which symbolic links in the input folder are followed ({@link Links})
     */
    public record Request(LayerPruner<?> method, PruneSpec spec, TensorSelector selector, Path calibration,
                          boolean computeError, Links links) {
        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(selector, "selector");
            Objects.requireNonNull(links, "links");
            if (method.statistics().needsCalibration() && calibration == null) {
                throw new IllegalArgumentException(method.name() + " needs calibration data ("
                        + method.statistics().description() + "): give a calibration file");
            }
            if (spec instanceof PruneSpec.Global && !(method instanceof MagnitudePruner)) {
                throw PruneSpec.globalIsNotPerLayer(method.name());
            }
        }

        /** A request that follows only the links that stay inside the input folder ({@link Links#CONTAINED}). */
        public Request(LayerPruner<?> method, PruneSpec spec, TensorSelector selector, Path calibration,
                       boolean computeError) {
            this(method, spec, selector, calibration, computeError, Links.CONTAINED);
        }

        /** {@code method} (one that needs no calibration) to {@code spec} on the linear layers. */
        public static Request of(LayerPruner<?> method, PruneSpec spec) {
            return of(method, spec, null);
        }

        /**
         * {@code method} to {@code spec} on the linear layers with the calibration file {@code calibration}
         * (may be null for magnitude), reconstruction errors measured where the file allows.
         */
        public static Request of(LayerPruner<?> method, PruneSpec spec, Path calibration) {
            return new Request(method, spec, TensorSelector.linearLayers(), calibration, true);
        }

        public Request withSelector(TensorSelector s) {
            return new Request(method, spec, s, calibration, computeError, links);
        }

        public Request withComputeError(boolean c) {
            return new Request(method, spec, selector, calibration, c, links);
        }

        public Request withLinks(Links l) {
            return new Request(method, spec, selector, calibration, computeError, l);
        }

        public String describe() {
            return method.name() + " " + spec;
        }
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
    public static PruneReport prune(Engine engine, Path input, Path output, Request request,
                                    BiConsumer<String, Long> progress) throws IOException {
        long start = System.nanoTime();
        try (EngineLease lease = EngineLease.withKernels(engine, request.method().kernels(), request.method().name());
             Checkpoint in = Checkpoint.open(input, request.links());
             SafeTensorsFile calibrationFile = request.calibration() == null ? null
                     : SafeTensorsFile.open(request.calibration());
             OutputFolder out = OutputFolder.create(output)) {
            List<SafeTensorsFile> read = new ArrayList<>(in.openShards());
            if (calibrationFile != null) {
                read.add(calibrationFile);
            }
            try {
                return pruneInto(lease.engine(), in, calibrationFile, out, request, progress, start);
            } catch (InternalError e) {
                if (MappedFaults.isMappedFault(e)) {
                    throw MappedFaults.explain(e, read, List.of(out.path()));
                }
                throw e;
            }
        }
    }

    private static PruneReport pruneInto(Engine e, Checkpoint in, SafeTensorsFile calibrationFile, OutputFolder out,
                                         Request request, BiConsumer<String, Long> progress, long start)
            throws IOException {
        List<String> selected = select(in, request.selector());
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String name : selected) {
            shapes.put(name, in.info(name).shape());
        }
        // Everything that can be known to fail is checked before the first layer: the disk, the memory.
        out.requireSpace(CheckpointWriter.bytesToWrite(in) + MaskFile.bytes(shapes, request.describe())
                + REPORT_BYTES_PER_LAYER * (selected.size() + 1), CheckpointWriter.filesToWrite(in) + 2);
        requireMemory(in, selected, calibrationFile, request);
        Path masksPath = out.path().resolve(MaskFile.PATH);
        Files.createDirectories(masksPath.getParent());
        CalibrationFile calibration = calibrationFile == null ? null
                : new CalibrationFile(name -> lookup(calibrationFile, name));
        Map<String, PruneReport.Layer> results = new ConcurrentHashMap<>();
        try (SafeTensorsWriter masks = MaskFile.create(masksPath, shapes, request.describe())) {
            LayerStep step = request.spec() instanceof PruneSpec.Global global
                    ? globalMagnitude(e, in, selected, global, masks, calibration, request, results)
                    : perLayer(e, OwlCheckpoint.allocate(e, request.method(), in, selected, calibration,
                            request.spec()), in, calibration, request, masks, results);
            Set<String> pruned = new HashSet<>(selected);
            CheckpointWriter.writeInto(in, out.path(), (info, destination) -> {
                if (pruned.contains(info.name())) {
                    step.prune(info, destination);
                } else {
                    Tensor source = in.tensor(info.name());
                    MemorySegment.copy(source.data(), 0, destination.data(), 0, source.byteSize());
                }
                progress.accept(info.name(), info.byteSize());
            }, calibrationFile == null ? List.of() : List.of(calibrationFile));
            masks.commit();
        }
        List<PruneReport.Layer> layers = selected.stream().map(results::get).toList();
        PruneReport report = new PruneReport(e.description(), request.method().name(), request.spec().toString(),
                layers, (System.nanoTime() - start) / 1e9);
        Files.writeString(out.path().resolve(PruneReport.PATH), report.toJson(), StandardCharsets.UTF_8);
        out.commit();
        return report;
    }

    /** An upper bound of one layer's line in {@code report.json}. */
    private static final long REPORT_BYTES_PER_LAYER = 1024;

    /**
     * Refuses, before any work, a run whose largest layer cannot have its Hessian in memory: SparseGPT
     * holds the Hessian (unless the calibration file has it in F32, then it reads the mapping), its
     * inverse and an F32 copy of the weight; the reconstruction error holds the Hessian.
     */
    private static void requireMemory(Checkpoint in, List<String> selected, SafeTensorsFile calibration,
                                      Request request) throws IOException {
        boolean sparseGpt = request.method().statistics() == LayerStatistics.HESSIAN;
        if (calibration == null || (!sparseGpt && !request.computeError())) {
            return;
        }
        long worst = 0;
        String worstLayer = null;
        for (String name : selected) {
            TensorInfo info = in.info(name);
            if (info.rank() != 2) {
                continue;
            }
            long rows = info.shape()[0];
            long cols = info.shape()[1];
            boolean hessianMapped = calibration.contains(name + CalibrationFile.HESSIAN)
                    && calibration.info(name + CalibrationFile.HESSIAN).dtype() == dev.prune4j.tensor.DType.F32;
            boolean hessianNeeded = sparseGpt || calibration.contains(name + CalibrationFile.HESSIAN)
                    || calibration.contains(name + CalibrationFile.INPUTS);
            if (!hessianNeeded) {
                continue;
            }
            if (cols > CalibrationFile.MAX_FEATURES) {
                continue; // refused by name when the layer's statistics are read
            }
            long h = HessianAccumulator.bytes(cols);
            long need = (hessianMapped ? 0 : h) + (sparseGpt ? h + 4 * rows * cols : 0);
            if (need > worst) {
                worst = need;
                worstLayer = "weight '" + name + "' " + java.util.Arrays.toString(info.shape()) + " with "
                        + request.method().name() + " (Hessian" + (sparseGpt ? " and its inverse, " : ", ") + cols
                        + " x " + cols + " F32" + (sparseGpt ? " each)" : ")");
            }
        }
        if (worstLayer != null) {
            NativeMemory.system().require(worst, worstLayer);
        }
    }

    /** Fills one selected tensor of the output. */
    @FunctionalInterface
    private interface LayerStep {
        void prune(TensorInfo info, Tensor destination) throws IOException;
    }

    private static <S> LayerStep perLayer(Engine engine, LayerPruner<S> method, Checkpoint in,
                                          CalibrationFile calibration, Request request, SafeTensorsWriter masks,
                                          Map<String, PruneReport.Layer> results) {
        return (info, destination) -> {
            Tensor weight = in.tensor(info.name());
            try (Arena arena = Arena.ofShared()) {
                S stats = method.statistics().needsCalibration()
                        ? method.statistics().read(calibration, engine, arena, weight.name(), weight.cols()) : null;
                LayerPruneResult r = method.prune(engine, weight, stats, request.spec(), arena);
                MemorySegment.copy(r.weights().data(), 0, destination.data(), 0, destination.byteSize());
                MaskFile.put(masks, weight.name(), r.mask());
                double error = error(engine, weight, r.weights(), method.hessianOf(stats), calibration, request, arena);
                results.put(info.name(), new PruneReport.Layer(info.name(), info.dtype(), info.shape(),
                        r.mask().prunedCount(), error, r.dampingUsed()));
            }
        };
    }

    /** Global magnitude: the threshold over the whole selection first, the masks in name order, then the weights. */
    private static LayerStep globalMagnitude(Engine engine, Checkpoint in, List<String> selected,
                                             PruneSpec.Global spec, SafeTensorsWriter masks,
                                             CalibrationFile calibration, Request request,
                                             Map<String, PruneReport.Layer> results) throws IOException {
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
            ThresholdMask tm = MagnitudeSelection.pruneBelow(engine, t, null, threshold, ties);
            ties -= tm.tiesPruned();
            MaskFile.put(masks, t.name(), tm.mask());
        }
        return (info, destination) -> {
            Tensor weight = in.tensor(info.name());
            Mask keep = Mask.fromSegment(masks.tensor(info.name()).data(), info.shape());
            MagnitudeSelection.applyMask(engine, weight, keep, destination);
            try (Arena arena = Arena.ofShared()) {
                double error = error(engine, weight, destination, null, calibration, request, arena);
                results.put(info.name(), new PruneReport.Layer(info.name(), info.dtype(), info.shape(),
                        keep.prunedCount(), error, Double.NaN));
            }
        };
    }

    /** The reconstruction error from the method's own Hessian, or one read from the calibration file; NaN without. */
    private static double error(Engine engine, Tensor weight, Tensor pruned, HessianAccumulator methodHessian,
                                CalibrationFile calibration, Request request, Arena arena) {
        if (!request.computeError()) {
            return Double.NaN;
        }
        HessianAccumulator h = methodHessian;
        if (h == null && calibration != null && calibration.hasHessianOrInputs(weight.name())) {
            h = LayerStatistics.HESSIAN.read(calibration, engine, arena, weight.name(), weight.cols());
        }
        return h == null ? Double.NaN : ReconstructionError.of(engine, weight, pruned, h);
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
            throw new TensorSelector.SelectionException(in.dir() + ": the include pattern '" + selector.pattern()
                    + "' matches no prunable (F32, F16 or BF16) tensor");
        }
        return selected;
    }
}
