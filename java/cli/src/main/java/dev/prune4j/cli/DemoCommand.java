package dev.prune4j.cli;

import dev.prune4j.analysis.MaskSimilarity;
import dev.prune4j.analysis.ReportFormat;
import dev.prune4j.analysis.SparsityReport;
import dev.prune4j.analysis.TensorStats;
import dev.prune4j.checkpoint.CheckpointPruner;
import dev.prune4j.checkpoint.CheckpointPruner.Request;
import dev.prune4j.checkpoint.PruneReport;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Engines;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.method.Methods;
import dev.prune4j.prune.MagnitudePruner;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.synth.LlamaShape;
import dev.prune4j.synth.SyntheticCheckpointWriter;
import dev.prune4j.synth.SyntheticLlama;
import dev.prune4j.tensor.DType;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: the main job end to end on a small synthetic checkpoint: synthesise, prune by global
 * magnitude 50 % and by 2:4, compare the methods at 2:4, analyse both magnitude runs and compare their masks.
 */
@Command(name = "demo", sortOptions = false,
        description = "Synthesise a small LLaMA checkpoint, prune it (global 50 %%, 2:4) and analyse it.",
        footer = {"",
            "Writes a tiny synthetic LLaMA checkpoint (f16) with calibration inputs to DIR (default: a new",
            "temporary folder), prunes it by global magnitude at 50 %% and by 2:4, compares magnitude, Wanda",
            "and SparseGPT at 2:4 by reconstruction error, prints the sparsity analysis of both magnitude",
            "runs and the Jaccard distance between their masks."})
final class DemoCommand implements Callable<Integer> {
    private static final int CALIBRATION_TOKENS = 256;

    @Spec
    CommandSpec spec;

    @Option(names = "--output", paramLabel = "DIR", description = "where everything goes (default: a new temporary folder)")
    Path output;

    @Option(names = "--engine", paramLabel = "cpu|cuda|auto", defaultValue = "auto", converter = Options.EngineName.class,
            description = "cpu, cuda, or auto (default)")
    String engine;

    @Option(names = "--layers", paramLabel = "N", converter = Options.Whole.class, description = "decoder layers (default 2)")
    Integer layers;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        LlamaShape shape;
        try {
            shape = LlamaShape.TINY.withLayers(layers != null ? layers : LlamaShape.TINY.numLayers());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Path root = output != null ? output : Files.createTempDirectory("prune4j-demo-");
        Files.createDirectories(root);
        Path dense = root.resolve("dense");
        Path global = root.resolve("global-magnitude-50");
        Path twoFour = root.resolve("magnitude-2-4");

        Path calibration;
        try (CpuEngine cpu = new CpuEngine()) {
            calibration = SyntheticCheckpointWriter.writeFolder(new SyntheticLlama(shape, DType.F16, 0), dense,
                    SyntheticCheckpointWriter.DEFAULT_SHARD_BYTES, CALIBRATION_TOKENS, cpu, (name, bytes) -> {});
        }
        out.println("1. synthesised " + shape.name() + " (" + shape.numLayers() + " layers, f16) in " + dense
                + ", with " + CALIBRATION_TOKENS + " calibration tokens per layer");

        try (Engine e = Engines.create(engine)) {
            out.println("   engine: " + e.description());
            PruneReport g = CheckpointPruner.prune(e, dense, global,
                    Request.of(new MagnitudePruner(), PruneSpec.global(0.5)), (n, b) -> {});
            out.printf("2. global magnitude 50 %%: %d of %d linear-layer weights pruned -> %s%n",
                    g.prunedWeights(), g.selectedWeights(), global);
            PruneReport nm = CheckpointPruner.prune(e, dense, twoFour,
                    Request.of(new MagnitudePruner(), PruneSpec.nm(NmPattern.TWO_FOUR)), (n, b) -> {});
            out.printf("3. magnitude 2:4: %d of %d linear-layer weights pruned -> %s%n",
                    nm.prunedWeights(), nm.selectedWeights(), twoFour);
            out.println("4. 2:4 by each method, reconstruction error ||W X^T - W' X^T||^2 summed over layers"
                    + " (calibration inputs with outlier channels):");
            for (String method : Methods.NAMES) {
                PruneReport r = CheckpointPruner.prune(e, dense, root.resolve("2-4-by-" + method),
                        Request.of(Methods.named(method), PruneSpec.nm(NmPattern.TWO_FOUR), calibration),
                        (n, b) -> {});
                double error = r.layers().stream().mapToDouble(PruneReport.Layer::reconstructionError).sum();
                out.printf("   %-10s %12.1f   (%.1f s)%n", method, error, r.seconds());
            }
        }

        try (CpuEngine cpu = new CpuEngine(); Checkpoint g = Checkpoint.open(global); Checkpoint nm = Checkpoint.open(twoFour)) {
            for (var entry : List.of(Map.entry("global magnitude 50 %", g), Map.entry("2:4", nm))) {
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
        out.flush();
        return 0;
    }
}
