package dev.prune4j.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.checkpoint.MaskFile;
import dev.prune4j.checkpoint.PruneReport;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.synth.LlamaShape;
import dev.prune4j.synth.SyntheticCalibration;
import dev.prune4j.synth.SyntheticCheckpointWriter;
import dev.prune4j.synth.SyntheticLlama;
import dev.prune4j.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example a user copies: it runs, it needs nothing but prune4j-core, and the README shows it as it is. */
class PruneACheckpointTest {
    @TempDir
    Path tmp;

    @Test
    void prunesACheckpointWithEachMethodFromJava() throws IOException {
        Path model = tmp.resolve("model");
        try (CpuEngine cpu = new CpuEngine()) {
            SyntheticCheckpointWriter.writeFolder(new SyntheticLlama(LlamaShape.TINY.withLayers(1), DType.F16, 3), model,
                    SyntheticCheckpointWriter.DEFAULT_SHARD_BYTES, 64, cpu, (name, bytes) -> {});
        }
        Path out = tmp.resolve("out");
        List<PruneReport> reports = PruneACheckpoint.prune(model, model.resolve(SyntheticCalibration.FILE), out, "cpu");
        assertEquals(List.of("magnitude", "wanda", "sparsegpt"), reports.stream().map(PruneReport::method).toList());
        for (PruneReport r : reports) {
            assertEquals(0.5, r.sparsity(), 1e-3, r.describe());
            assertEquals(7, r.layers().size(), "the seven projections of the one decoder layer");
            assertTrue(Files.isRegularFile(out.resolve(r.method()).resolve(MaskFile.PATH)), r.method());
            assertTrue(Files.isRegularFile(out.resolve(r.method()).resolve("model.safetensors")), r.method());
        }
        assertTrue(reports.get(1).layers().stream().allMatch(l -> l.reconstructionError() >= 0),
                "with calibration data every layer reports its reconstruction error");
    }

    @Test
    void itsRuntimeClassPathHoldsPrune4jCoreAlone() throws IOException {
        Path file = Path.of(System.getProperty("prune4j.example.classpath"));
        List<String> entries = Arrays.stream(Files.readString(file).strip().split(java.io.File.pathSeparator))
                .filter(e -> !e.isBlank()).toList();
        assertEquals(1, entries.size(), "runtime class path: " + entries);
        String only = entries.getFirst().replace('\\', '/');
        assertTrue(only.matches(".*(prune4j-core-[^/]*\\.jar|java/core/target/classes)"), only);
    }

    /** The text with every run of white space as one space, so indentation does not matter. */
    static String squash(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }

    @Test
    void theReadmeShowsThisExampleAsItIs() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("prune4j.readme")));
        String source = Files.readString(Path.of("src/main/java/dev/prune4j/example/PruneACheckpoint.java"));
        String snippet = source.substring(source.indexOf("// README:begin") + "// README:begin".length(),
                source.indexOf("        // README:end"));
        assertTrue(squash(readme).contains(squash(snippet)), "README.md does not show the example as it is:\n" + snippet);
    }
}
