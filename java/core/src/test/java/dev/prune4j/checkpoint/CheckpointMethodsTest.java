package dev.prune4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.checkpoint.CheckpointPruner.Request;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.mask.Mask;
import dev.prune4j.method.Methods;
import dev.prune4j.owl.DecoderLayers;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.synth.LlamaShape;
import dev.prune4j.synth.SyntheticCheckpointWriter;
import dev.prune4j.synth.SyntheticLlama;
import dev.prune4j.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RIA, OWL and refined methods on whole checkpoints, by name, as {@code prune --method} runs them. */
class CheckpointMethodsTest {
    @TempDir
    static Path shared;
    static Path model;
    static Path calibration;
    static CpuEngine cpu;

    @BeforeAll
    static void synthesise() throws IOException {
        cpu = new CpuEngine(2);
        model = shared.resolve("model");
        calibration = SyntheticCheckpointWriter.writeFolder(new SyntheticLlama(LlamaShape.TINY, DType.BF16, 12), model,
                2_000_000, 64, cpu, (name, bytes) -> {});
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    private static PruneReport prune(String method, PruneSpec spec, Path out) throws IOException {
        return CheckpointPruner.prune(cpu, model, out, Request.of(Methods.named(method), spec, calibration),
                (t, b) -> {});
    }

    @ParameterizedTest
    @ValueSource(strings = {"owl-magnitude", "owl-wanda", "owl-sparsegpt", "owl-ria"})
    void owlGivesEachDecoderLayerItsSparsityAroundTheRatio(String method, @TempDir Path tmp) throws IOException {
        LayerPruner<?> pruner = Methods.named(method);
        PruneSpec spec = pruner.defaultSpec(0.5);
        PruneReport report = prune(method, spec, tmp.resolve("out"));
        assertEquals(method, report.method());
        assertEquals(14, report.layers().size());
        Map<String, Double> byLayer = new TreeMap<>(report.layers().stream().collect(Collectors.groupingBy(
                l -> DecoderLayers.layerOf(l.name()).orElseThrow(),
                Collectors.summingDouble(l -> (double) l.pruned()))));
        Map<String, Long> sizes = report.layers().stream().collect(Collectors.groupingBy(
                l -> DecoderLayers.layerOf(l.name()).orElseThrow(), Collectors.summingLong(PruneReport.Layer::numel)));
        double s0 = byLayer.get("model.layers.0") / sizes.get("model.layers.0");
        double s1 = byLayer.get("model.layers.1") / sizes.get("model.layers.1");
        // Two layers of equal size with different outlier ratios: one at r - lambda, one at r + lambda.
        assertEquals(0.16, Math.abs(s0 - s1), 0.01, s0 + " vs " + s1);
        assertEquals(0.5, report.sparsity(), 0.005);
        assertTrue(report.prunedWeights() <= report.selectedWeights() / 2);
        for (PruneReport.Layer l : report.layers()) {
            assertTrue(l.reconstructionError() > 0, l.name());
        }
    }

    @Test
    void riaAndRefinedMethodsPruneByNameAndRefinementLowersTheError(@TempDir Path tmp) throws IOException {
        PruneReport ria = prune("ria", PruneSpec.perTensor(0.5), tmp.resolve("ria-tensor"));
        assertEquals("ria", ria.method());
        ria.layers().forEach(l -> assertEquals(l.numel() / 2, l.pruned(), l.name()));
        for (String base : new String[] {"magnitude", "wanda", "ria", "sparsegpt"}) {
            PruneReport plain = prune(base, PruneSpec.perRow(0.5), tmp.resolve(base));
            PruneReport refined = prune(base + "+sparseswaps", PruneSpec.perRow(0.5), tmp.resolve(base + "-refined"));
            assertEquals(base + "+sparseswaps", refined.method());
            assertEquals(plain.prunedWeights(), refined.prunedWeights());
            double before = plain.layers().stream().mapToDouble(PruneReport.Layer::reconstructionError).sum();
            double after = refined.layers().stream().mapToDouble(PruneReport.Layer::reconstructionError).sum();
            assertTrue(after < before, base + ": " + before + " -> " + after);
        }
        PruneReport owlRefined = prune("owl-wanda+sparseswaps", PruneSpec.perRow(0.5), tmp.resolve("owl-refined"));
        PruneReport owl = prune("owl-wanda", PruneSpec.perRow(0.5), tmp.resolve("owl"));
        assertEquals(owl.prunedWeights(), owlRefined.prunedWeights(), "refining inside OWL keeps its counts");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ria", "owl-wanda", "owl-sparsegpt", "wanda+sparseswaps"})
    void twoFourIsValidInEveryGroup(String method, @TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("out");
        PruneReport report = prune(method, PruneSpec.nm(2, 4), out);
        try (SafeTensorsFile masks = SafeTensorsFile.open(out.resolve(MaskFile.PATH))) {
            for (PruneReport.Layer l : report.layers()) {
                Mask keep = MaskFile.read(masks, l.name());
                for (long g = 0; g < keep.size(); g += 4) {
                    int kept = 0;
                    for (int j = 0; j < 4; j++) {
                        kept += keep.isKept(g + j) ? 1 : 0;
                    }
                    assertEquals(2, kept, l.name() + " group at " + g);
                }
            }
        }
    }

    @Test
    void owlWithoutDecoderLayersOrCalibrationSaysSo(@TempDir Path tmp) {
        String m = assertThrows(IllegalArgumentException.class, () -> CheckpointPruner.prune(cpu, model,
                tmp.resolve("out"), Request.of(Methods.named("owl-wanda"), PruneSpec.perRow(0.5), calibration)
                        .withSelector(TensorSelector.matching("lm_head\\.weight")), (t, b) -> {})).getMessage();
        assertEquals("owl-wanda allocates sparsity per decoder layer, but no selected tensor is in a numbered layer"
                + " ('model.layers.N.', 'encoder.layer.N.', ...); for example 'lm_head.weight'", m);
        m = assertThrows(IllegalArgumentException.class,
                () -> Request.of(Methods.named("owl-magnitude"), PruneSpec.perTensor(0.5))).getMessage();
        assertEquals("owl-magnitude needs calibration data (activation norms (for OWL's layer sparsities)): give a"
                + " calibration file", m);
    }
}
