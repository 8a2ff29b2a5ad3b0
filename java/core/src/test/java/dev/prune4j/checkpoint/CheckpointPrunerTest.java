package dev.prune4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.checkpoint.CheckpointPruner.Request;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.Kernel;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.mask.KeySpace;
import dev.prune4j.mask.Mask;
import dev.prune4j.mask.RadixPass;
import dev.prune4j.mask.ThresholdMask;
import dev.prune4j.method.Methods;
import dev.prune4j.prune.MagnitudePruner;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneCount;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.sparsegpt.SparseGptPruner;
import dev.prune4j.synth.LlamaShape;
import dev.prune4j.synth.SyntheticCalibration;
import dev.prune4j.synth.SyntheticCheckpointWriter;
import dev.prune4j.synth.SyntheticLlama;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Device;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.wanda.WandaPruner;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whole checkpoints pruned through the public API, as a Java tool would (the CLI is one such tool). */
class CheckpointPrunerTest {
    @TempDir
    static Path shared;
    static Path model;
    static Path calibration;
    static CpuEngine cpu;

    @BeforeAll
    static void synthesise() throws IOException {
        cpu = new CpuEngine(2);
        model = shared.resolve("model");
        calibration = SyntheticCheckpointWriter.writeFolder(new SyntheticLlama(LlamaShape.TINY.withLayers(1), DType.BF16,
                11), model, 600_000, 96, cpu, (name, bytes) -> {});
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"magnitude", "wanda", "sparsegpt"})
    void everyMethodPrunesTheLinearLayersExactlyAndCopiesTheRest(String method, @TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        PruneReport report = CheckpointPruner.prune(cpu, model, out,
                Request.of(Methods.named(method), PruneSpec.perTensor(0.4), calibration), (t, b) -> {});
        assertEquals(method, report.method());
        assertEquals(7, report.layers().size());
        try (Checkpoint in = Checkpoint.open(model); Checkpoint pruned = Checkpoint.open(out);
             SafeTensorsFile masks = SafeTensorsFile.open(out.resolve(MaskFile.PATH))) {
            assertEquals(in.tensorNames(), pruned.tensorNames());
            assertEquals(in.files().size(), pruned.files().size(), "the shard layout is kept");
            for (String name : in.tensorNames()) {
                Tensor before = in.tensor(name);
                Tensor after = pruned.tensor(name);
                if (!name.endsWith("_proj.weight")) {
                    assertEquals(-1, before.data().mismatch(after.data()), name + " is copied unchanged");
                    continue;
                }
                Mask keep = MaskFile.read(masks, name);
                assertEquals(PruneCount.of(0.4, before.numel()), keep.prunedCount(), name);
                for (long i = 0; i < after.numel(); i++) {
                    if (!keep.isKept(i)) {
                        assertEquals(0f, after.getFloat(i), name + " pruned weight " + i);
                    } else if (!method.equals("sparsegpt")) {
                        assertEquals(before.getFloat(i), after.getFloat(i), name + " kept weight " + i);
                    }
                }
            }
        }
        for (PruneReport.Layer l : report.layers()) {
            assertTrue(l.reconstructionError() > 0, l.name() + ": calibration came along, so the error is measured");
        }
        String saved = Files.readString(out.resolve(PruneReport.PATH));
        assertEquals(report.toJson(), saved);
        assertTrue(saved.contains("\"method\": \"" + method + "\""), saved);
    }

    @Test
    void globalMagnitudePrunesOneShareOfTheWholeSelection(@TempDir Path tmp) throws IOException {
        PruneReport report = CheckpointPruner.prune(cpu, model, tmp.resolve("out"),
                Request.of(new MagnitudePruner(), PruneSpec.global(0.7)), (t, b) -> {});
        assertEquals(PruneCount.of(0.7, report.selectedWeights()), report.prunedWeights());
        assertTrue(report.layers().stream().map(PruneReport.Layer::sparsity).distinct().count() > 1,
                "one threshold for the model leaves the layers at different sparsities");
        assertTrue(report.layers().stream().allMatch(l -> Double.isNaN(l.reconstructionError())),
                "no calibration file, no error");
    }

    @Test
    void nmPatternsAreValidInEveryGroup(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        CheckpointPruner.prune(cpu, model, out, Request.of(new WandaPruner(), PruneSpec.nm(NmPattern.TWO_FOUR),
                calibration), (t, b) -> {});
        try (SafeTensorsFile masks = SafeTensorsFile.open(out.resolve(MaskFile.PATH))) {
            for (var info : masks.tensors()) {
                Mask keep = MaskFile.read(masks, info.name());
                for (long g = 0; g < keep.size() / 4; g++) {
                    int kept = 0;
                    for (int j = 0; j < 4; j++) {
                        kept += keep.isKept(4 * g + j) ? 1 : 0;
                    }
                    assertEquals(2, kept, info.name() + " group " + g);
                }
            }
        }
    }

    @Test
    void requestsThatCannotWorkAreRefusedBeforeAnythingIsWritten(@TempDir Path tmp) {
        IllegalArgumentException noCalibration = assertThrows(IllegalArgumentException.class,
                () -> Request.of(new WandaPruner(), PruneSpec.perRow(0.5)));
        assertTrue(noCalibration.getMessage().contains("wanda needs calibration data"), noCalibration.getMessage());
        IllegalArgumentException global = assertThrows(IllegalArgumentException.class,
                () -> Request.of(new SparseGptPruner(), PruneSpec.global(0.5), calibration));
        assertTrue(global.getMessage().contains("global scope is for magnitude pruning"), global.getMessage());
        IllegalArgumentException nothing = assertThrows(IllegalArgumentException.class,
                () -> CheckpointPruner.prune(cpu, model, tmp.resolve("o"), Request.of(new MagnitudePruner(),
                        PruneSpec.perRow(0.5)).withSelector(TensorSelector.matching(".*nothing.*")), (t, b) -> {}));
        assertTrue(nothing.getMessage().contains(".*nothing.*"), nothing.getMessage());
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    @Test
    void aNonEmptyOutputIsRefusedAndTheInputIsNeverTouched(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("keep.txt"), "mine");
        long before = modifiedTimes();
        assertThrows(FileAlreadyExistsException.class, () -> CheckpointPruner.prune(cpu, model, tmp,
                Request.of(new MagnitudePruner(), PruneSpec.perTensor(0.5)), (t, b) -> {}));
        assertEquals("mine", Files.readString(tmp.resolve("keep.txt")));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(tmp.resolve("keep.txt")), left.toList(), "no temporary folder left behind");
        }
        assertEquals(before, modifiedTimes());
    }

    @Test
    void aMethodRunsOnTheCpuWhenTheEngineLacksItsKernels(@TempDir Path tmp) throws IOException {
        try (Engine masksOnly = new MaskKernelsOnly(cpu)) {
            PruneReport report = CheckpointPruner.prune(masksOnly, model, tmp.resolve("out"),
                    Request.of(new WandaPruner(), PruneSpec.perRow(0.5), calibration), (t, b) -> {});
            assertTrue(report.engine().startsWith("cpu"), "Wanda moved to a CPU engine: " + report.engine());
            PruneReport magnitude = CheckpointPruner.prune(masksOnly, model, tmp.resolve("out2"),
                    Request.of(new MagnitudePruner(), PruneSpec.perRow(0.5)), (t, b) -> {});
            assertEquals(masksOnly.description(), magnitude.engine(), "magnitude stays on the engine asked for");
        }
    }

    private static long modifiedTimes() throws IOException {
        long sum = 0;
        try (Stream<Path> files = Files.walk(model)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                sum += Files.getLastModifiedTime(p).toMillis() + Files.size(p);
            }
        }
        return sum;
    }

    /** An engine with the mask kernels only, as the CUDA engine is today; it runs them on the CPU engine. */
    private static final class MaskKernelsOnly implements Engine {
        private final CpuEngine cpu;

        MaskKernelsOnly(CpuEngine cpu) {
            this.cpu = cpu;
        }

        @Override
        public String name() {
            return "masks-only";
        }

        @Override
        public String description() {
            return "masks-only (test engine)";
        }

        @Override
        public Device device() {
            return Device.HOST;
        }

        @Override
        public Set<Kernel> kernels() {
            return EnumSet.copyOf(MagnitudePruner.KERNELS);
        }

        @Override
        public EngineArena openArena() {
            return cpu.openArena();
        }

        @Override
        public void magnitudeHistogram(Tensor t, Mask live, KeySpace keys, RadixPass pass,
                                       long[] histogram) {
            cpu.magnitudeHistogram(t, live, keys, pass, histogram);
        }

        @Override
        public ThresholdMask pruneBelow(Tensor t, Mask live, KeySpace keys, int threshold,
                                                         long tiesToPrune) {
            return cpu.pruneBelow(t, live, keys, threshold, tiesToPrune);
        }

        @Override
        public Mask pruneSmallestPerRow(Tensor t, Mask live, int perRow) {
            return cpu.pruneSmallestPerRow(t, live, perRow);
        }

        @Override
        public Mask pruneNm(Tensor t, int n, int m) {
            return cpu.pruneNm(t, n, m);
        }

        @Override
        public void applyMask(Tensor src, Mask keep, Tensor dst) {
            cpu.applyMask(src, keep, dst);
        }
    }
}
