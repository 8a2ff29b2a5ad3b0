package dev.prune4j.example.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.checkpoint.PruneReport;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Engines;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.example.PruneACheckpoint;
import dev.prune4j.synth.LlamaShape;
import dev.prune4j.synth.SyntheticCalibration;
import dev.prune4j.synth.SyntheticCheckpointWriter;
import dev.prune4j.synth.SyntheticLlama;
import dev.prune4j.tensor.DType;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's GPU variant: the example's code with {@code "auto"} and prune4j-cuda beside
 * prune4j-core. It runs on the GPU where one is usable and on the CPU otherwise, with no other change.
 */
class PruneOnTheGpuTest {
    @TempDir
    Path tmp;

    @Test
    void autoFindsTheCudaEngineThroughTheClassPathAloneAndRunsEitherWay() throws IOException {
        Path model = tmp.resolve("model");
        try (CpuEngine cpu = new CpuEngine()) {
            SyntheticCheckpointWriter.writeFolder(new SyntheticLlama(LlamaShape.TINY.withLayers(1), DType.F16, 5), model,
                    SyntheticCheckpointWriter.DEFAULT_SHARD_BYTES, 64, cpu, (name, bytes) -> {});
        }
        String expected;
        try (Engine auto = Engines.create("auto")) {
            expected = auto.name();
        }
        List<PruneReport> reports = PruneACheckpoint.prune(model, model.resolve(SyntheticCalibration.FILE),
                tmp.resolve("out"), "auto");
        assertTrue(reports.getFirst().engine().startsWith(expected), reports.getFirst().engine());
        for (PruneReport r : reports) {
            assertEquals(0.5, r.sparsity(), 1e-3, r.describe());
        }
    }

    @Test
    void itsRuntimeClassPathHoldsTheExampleCoreCudaAndTheBindings() throws IOException {
        List<String> names = Arrays.stream(Files.readString(Path.of(System.getProperty("prune4j.example.classpath")))
                        .strip().split(File.pathSeparator))
                .filter(e -> !e.isBlank())
                .map(e -> e.replace('\\', '/'))
                .map(e -> e.endsWith("/target/classes") ? e.substring(0, e.length() - "/target/classes".length()) : e)
                .map(e -> e.substring(e.lastIndexOf('/') + 1).replaceAll("-\\d.*", ""))
                .sorted().toList();
        assertEquals(List.of("bindings", "core", "cuda", "example"),
                names.stream().map(n -> n.replaceFirst("^prune4j-", "")).sorted().toList(), names.toString());
    }
}
