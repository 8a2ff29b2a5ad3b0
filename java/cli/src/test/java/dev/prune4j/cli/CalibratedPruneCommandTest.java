package dev.prune4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.checkpoint.PruneReport;
import dev.prune4j.checkpoint.MaskFile;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.synth.SyntheticCalibration;
import dev.prune4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code prune --method wanda|sparsegpt} on a synthetic checkpoint with its synthetic calibration inputs. */
class CalibratedPruneCommandTest {
    @TempDir
    static Path shared;

    static Path dense;
    static Path calibration;

    @BeforeAll
    static void synthesise() {
        dense = shared.resolve("dense");
        CliRun run = CliRun.of("synth", "--model", "tiny", "--layers", "1", "--output", dense.toString(),
                "--calibration-tokens", "128");
        assertEquals(0, run.status(), run.toString());
        calibration = dense.resolve(SyntheticCalibration.FILE);
    }

    private static Map<String, Object> prune(Path out, String method, String... target) {
        List<String> argv = new ArrayList<>(List.of("prune", "--input", dense.toString(), "--output", out.toString(),
                "--method", method, "--calibration", calibration.toString(), "--engine", "cpu", "--format", "json"));
        argv.addAll(List.of(target));
        CliRun run = CliRun.of(argv.toArray(String[]::new));
        assertEquals(0, run.status(), run.toString());
        return JsonText.object(run.out());
    }

    @SuppressWarnings("unchecked")
    private static double totalError(Map<String, Object> report) {
        double sum = 0;
        for (Object layer : (List<Object>) report.get("layers")) {
            sum += ((Number) ((Map<String, Object>) layer).get("reconstruction_error")).doubleValue();
        }
        return sum;
    }

    @ParameterizedTest
    @ValueSource(strings = {"--sparsity=0.5", "--pattern=2:4"})
    void sparseGptBeatsWandaBeatsMagnitudeOnInputsWithOutlierChannels(String target, @TempDir Path tmp) {
        double magnitude = totalError(prune(tmp.resolve("m"), "magnitude", target));
        Map<String, Object> wanda = prune(tmp.resolve("w"), "wanda", target);
        Map<String, Object> sparseGpt = prune(tmp.resolve("s"), "sparsegpt", target);
        assertEquals(0.5, (Double) wanda.get("sparsity"), 1e-12);
        assertEquals(0.5, (Double) sparseGpt.get("sparsity"), 1e-12);
        assertTrue(totalError(sparseGpt) < totalError(wanda), sparseGpt + " vs " + wanda);
        assertTrue(totalError(wanda) < magnitude, wanda + " vs " + magnitude);
    }

    @Test
    void refineLowersWandasErrorAndKeepsItsSparsity(@TempDir Path tmp) {
        Map<String, Object> wanda = prune(tmp.resolve("w"), "wanda", "--pattern=2:4");
        Map<String, Object> refined = prune(tmp.resolve("r"), "wanda", "--pattern=2:4", "--refine", "sparseswaps");
        assertEquals(0.5, (Double) refined.get("sparsity"), 1e-12);
        assertTrue(totalError(refined) < totalError(wanda), refined + " vs " + wanda);
        // The same method spelt as one name.
        Map<String, Object> named = prune(tmp.resolve("n"), "wanda+sparseswaps", "--pattern=2:4");
        assertEquals(totalError(refined), totalError(named), 0.0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void owlSpreadsTheLayerSparsitiesAroundTheMean(@TempDir Path tmp) {
        Path model = tmp.resolve("three-layers");
        CliRun synth = CliRun.of("synth", "--model", "tiny", "--layers", "3", "--output", model.toString(),
                "--calibration-tokens", "128");
        assertEquals(0, synth.status(), synth.toString());
        CliRun run = CliRun.of("prune", "--input", model.toString(), "--output", tmp.resolve("o").toString(),
                "--method", "owl-wanda", "--sparsity", "0.5", "--owl-lambda", "0.1", "--owl-m", "3",
                "--calibration", model.resolve(SyntheticCalibration.FILE).toString(), "--engine", "cpu",
                "--format", "json");
        assertEquals(0, run.status(), run.toString());
        Map<String, Object> report = JsonText.object(run.out());
        // Every decoder layer has the same shapes, so the weighted mean is the plain one: 0.5 up to
        // the floor of each row's count.
        assertEquals(0.5, (Double) report.get("sparsity"), 2e-3, run.out());
        // As in the reference, the outlier ratios are scaled onto a range 2 lambda wide, then shifted
        // so that the mean is r: no two layers lie more than 2 lambda apart (the tensors of a layer
        // differ a little more, by the floor of each row's count).
        java.util.TreeSet<Double> layerSparsities = new java.util.TreeSet<>();
        for (Object layer : (List<Object>) report.get("layers")) {
            double s = ((Number) ((Map<String, Object>) layer).get("sparsity")).doubleValue();
            layerSparsities.add(Math.round(s * 1000) / 1000.0);
        }
        assertTrue(layerSparsities.size() > 1, "OWL gave every layer the same sparsity: " + layerSparsities);
        assertTrue(layerSparsities.last() - layerSparsities.first() <= 0.2 + 0.01, layerSparsities.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--owl-lambda=-0.1", "--owl-m=0", "--refine=nosuch", "--percdamp=0"})
    void aBadMethodSettingIsAUsageErrorNamingItsOption(String setting, @TempDir Path tmp) {
        CliRun run = CliRun.of("prune", "--input", dense.toString(), "--output", tmp.resolve("o").toString(),
                "--method", "owl-wanda", "--sparsity", "0.5", "--calibration", calibration.toString(), setting);
        assertEquals(2, run.status(), run.toString());
        String option = setting.substring(0, setting.indexOf('='));
        assertTrue(run.err().contains(option), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    @Test
    void aRefinerNamedTwiceIsRefused(@TempDir Path tmp) {
        CliRun run = CliRun.of("prune", "--input", dense.toString(), "--output", tmp.resolve("o").toString(),
                "--method", "wanda+sparseswaps", "--refine", "sparseswaps", "--sparsity", "0.5",
                "--calibration", calibration.toString());
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains("--refine"), run.err());
    }

    @Test
    void reducedStatisticsGiveTheSameMasksAsRawInputs(@TempDir Path tmp) throws Exception {
        Path reduced = tmp.resolve("reduced.safetensors");
        CliRun run = CliRun.of("calibrate", "--inputs", calibration.toString(), "--output", reduced.toString(),
                "--engine", "cpu");
        assertEquals(0, run.status(), run.toString());
        for (String method : List.of("wanda", "sparsegpt")) {
            Path a = tmp.resolve(method + "-raw");
            Path b = tmp.resolve(method + "-reduced");
            prune(a, method, "--pattern", "2:4");
            CliRun withReduced = CliRun.of("prune", "--input", dense.toString(), "--output", b.toString(),
                    "--method", method, "--calibration", reduced.toString(), "--pattern", "2:4", "--engine", "cpu");
            assertEquals(0, withReduced.status(), withReduced.toString());
            assertEquals(PruneCommandTest.digests(a.resolve("prune4j")).get("masks.safetensors"),
                    PruneCommandTest.digests(b.resolve("prune4j")).get("masks.safetensors"), method);
        }
    }

    @Test
    void aWeightWithoutCalibrationIsNamedAndNothingIsWritten(@TempDir Path tmp) throws Exception {
        Path partial = tmp.resolve("partial.safetensors");
        String dropped = "model.layers.0.mlp.down_proj.weight.inputs";
        try (SafeTensorsFile in = SafeTensorsFile.open(calibration)) {
            List<Tensor> kept = new ArrayList<>();
            for (var info : in.tensors()) {
                if (!info.name().equals(dropped)) {
                    kept.add(in.tensor(info.name()));
                }
            }
            SafeTensorsWriter.write(partial, kept, Map.of());
        }
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("prune", "--input", dense.toString(), "--output", out.toString(), "--method", "wanda",
                "--sparsity", "0.5", "--calibration", partial.toString());
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("model.layers.0.mlp.down_proj.weight"), run.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void nanCalibrationInputsAreRejected(@TempDir Path tmp) throws Exception {
        Path poisoned = tmp.resolve("nan.safetensors");
        String target = "model.layers.0.self_attn.q_proj.weight.inputs";
        try (SafeTensorsFile in = SafeTensorsFile.open(calibration);
             SafeTensorsWriter w = SafeTensorsWriter.create(poisoned,
                     in.tensors().stream().map(t -> t.spec()).toList(), Map.of())) {
            for (var info : in.tensors()) {
                Tensor dst = w.tensor(info.name());
                java.lang.foreign.MemorySegment.copy(in.tensor(info.name()).data(), 0, dst.data(), 0, dst.byteSize());
                if (info.name().equals(target)) {
                    dst.setFloat(17, Float.NaN);
                }
            }
            w.commit();
        }
        CliRun run = CliRun.of("prune", "--input", dense.toString(), "--output", tmp.resolve("o").toString(),
                "--method", "sparsegpt", "--sparsity", "0.5", "--calibration", poisoned.toString());
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains(target), run.err());
    }

    @Test
    void wandaAndSparseGptNeedCalibrationAndHaveNoGlobalScope() {
        CliRun none = CliRun.of("prune", "--input", "x", "--output", "y", "--method", "wanda", "--sparsity", "0.5");
        assertEquals(2, none.status(), none.toString());
        assertTrue(none.err().contains("needs calibration data"), none.err());
        CliRun global = CliRun.of("prune", "--input", "x", "--output", "y", "--method", "sparsegpt", "--sparsity", "0.5",
                "--scope", "global", "--calibration", "c");
        assertEquals(2, global.status(), global.toString());
        assertTrue(global.err().contains("global scope is for magnitude pruning"), global.err());
    }

    @Test
    void theReportFileHoldsEveryLayer(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out");
        Map<String, Object> printed = prune(out, "sparsegpt", "--sparsity", "0.6");
        Map<String, Object> saved = JsonText.object(Files.readString(out.resolve(PruneReport.PATH)));
        assertEquals(((List<?>) printed.get("layers")).size(), ((List<?>) saved.get("layers")).size());
        assertEquals(7, ((List<?>) saved.get("layers")).size(), "the seven projections of one layer");
        assertEquals(printed.get("pruned_weights"), saved.get("pruned_weights"));
    }
}
