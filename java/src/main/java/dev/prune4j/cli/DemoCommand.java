package dev.prune4j.cli;

import dev.prune4j.analysis.MaskSimilarity;
import dev.prune4j.analysis.ReportFormat;
import dev.prune4j.analysis.SparsityReport;
import dev.prune4j.analysis.TensorStats;
import dev.prune4j.engine.CpuEngine;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Engines;
import dev.prune4j.prune.CheckpointPruner;
import dev.prune4j.prune.CheckpointPruner.Method;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.prune.Scope;
import dev.prune4j.prune.TensorSelector;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.safetensors.OutputFolder;
import dev.prune4j.sparsegpt.SparseGpt;
import dev.prune4j.synth.LlamaShape;
import dev.prune4j.synth.SyntheticCalibration;
import dev.prune4j.synth.SyntheticCheckpointWriter;
import dev.prune4j.synth.SyntheticLlama;
import dev.prune4j.tensor.DType;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code demo}: the main job end to end on a small synthetic checkpoint: synthesise, prune by global
 * magnitude 50 % and by 2:4, analyse both and compare their masks.
 */
final class DemoCommand implements Command {
    private static final int CALIBRATION_TOKENS = 256;

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "synthesise a small LLaMA checkpoint, prune it (global 50 %, 2:4) and analyse it";
    }

    @Override
    public String usage() {
        return """
                usage: ./prune4j demo [--output DIR] [--engine cpu|cuda|auto] [--layers N]

                Writes a tiny synthetic LLaMA checkpoint (f16, --layers default 2) with calibration
                inputs to DIR (default: a new temporary folder), prunes it by global magnitude at 50 %
                and by 2:4, compares magnitude, Wanda and SparseGPT at 2:4 by reconstruction error,
                prints the sparsity analysis of both magnitude runs and the Jaccard distance between
                their masks.
                """;
    }

    @Override
    public void run(List<String> argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, Set.of("output", "engine", "layers"), Set.of());
        Path root = args.has("output") ? args.path("output") : Files.createTempDirectory("prune4j-demo-");
        Files.createDirectories(root);
        Path dense = root.resolve("dense");
        Path global = root.resolve("global-magnitude-50");
        Path twoFour = root.resolve("magnitude-2-4");
        LlamaShape shape = LlamaShape.TINY.withLayers(args.intValue("layers", LlamaShape.TINY.numLayers()));

        try (CpuEngine cpu = new CpuEngine();
             OutputFolder folder = OutputFolder.create(dense)) {
            SyntheticLlama model = new SyntheticLlama(shape, DType.F16, 0);
            SyntheticCheckpointWriter.write(model, folder.path(), SyntheticCheckpointWriter.DEFAULT_SHARD_BYTES, cpu,
                    (name, bytes) -> {});
            Path calibrationFile = folder.path().resolve(SyntheticCalibration.FILE);
            Files.createDirectories(calibrationFile.getParent());
            new SyntheticCalibration(model, CALIBRATION_TOKENS).write(calibrationFile, cpu);
            folder.commit();
        }
        out.println("1. synthesised " + shape.name() + " (" + shape.numLayers() + " layers, f16) in " + dense
                + ", with " + CALIBRATION_TOKENS + " calibration tokens per layer");

        try (Engine engine = Engines.create(args.get("engine", "auto"))) {
            out.println("   engine: " + engine.description());
            CheckpointPruner.Result g = CheckpointPruner.magnitude(engine, dense, global,
                    PruneSpec.unstructured(0.5, Scope.GLOBAL), TensorSelector.linearLayers(), (n, b) -> {});
            out.printf("2. global magnitude 50 %%: %d of %d linear-layer weights pruned -> %s%n",
                    g.prunedWeights(), g.selectedWeights(), global);
            CheckpointPruner.Result nm = CheckpointPruner.magnitude(engine, dense, twoFour,
                    PruneSpec.nm(NmPattern.TWO_FOUR), TensorSelector.linearLayers(), (n, b) -> {});
            out.printf("3. magnitude 2:4: %d of %d linear-layer weights pruned -> %s%n",
                    nm.prunedWeights(), nm.selectedWeights(), twoFour);
            out.println("4. 2:4 by each method, reconstruction error ||W X^T - W' X^T||^2 summed over layers"
                    + " (calibration inputs with outlier channels):");
            for (Method method : Method.values()) {
                CheckpointPruner.Result r = CheckpointPruner.prune(engine, dense, root.resolve("2-4-by-" + method.cliName()),
                        new CheckpointPruner.Request(method, PruneSpec.nm(NmPattern.TWO_FOUR), TensorSelector.linearLayers(),
                                dense.resolve(SyntheticCalibration.FILE), SparseGpt.Options.DEFAULT, true),
                        (n, b) -> {});
                double error = r.layers().stream().mapToDouble(CheckpointPruner.LayerResult::reconstructionError).sum();
                out.printf("   %-10s %12.1f   (%.1f s)%n", method.cliName(), error, r.seconds());
            }
        }

        try (CpuEngine cpu = new CpuEngine();
             Checkpoint g = Checkpoint.open(global);
             Checkpoint nm = Checkpoint.open(twoFour)) {
            for (var entry : List.of(java.util.Map.entry("global magnitude 50 %", g), java.util.Map.entry("2:4", nm))) {
                out.println();
                out.println("== analysis: " + entry.getKey() + " (" + entry.getValue().dir() + ")");
                SparsityReport report = SparsityReport.analyze(entry.getValue().tensorNames(),
                        CheckpointTensors.lookup(entry.getValue()), TensorStats.DEFAULT_THRESHOLD, cpu);
                ReportFormat.TABLE.write(report, out);
            }
            out.println();
            out.println("== mask similarity: global 50 % vs 2:4");
            MaskSimilarity similarity = MaskSimilarity.compare(g.tensorNames(), CheckpointTensors.lookup(g),
                    nm.tensorNames(), CheckpointTensors.lookup(nm), cpu);
            ReportFormat.TABLE.write(similarity, out);
        }
        out.println();
        out.println("Everything is in " + root + " (./prune4j analyze --input DIR to look again).");
    }
}
