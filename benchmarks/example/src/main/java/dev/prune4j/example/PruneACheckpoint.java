package dev.prune4j.example;

import dev.prune4j.checkpoint.CheckpointPruner;
import dev.prune4j.checkpoint.CheckpointPruner.Request;
import dev.prune4j.checkpoint.PruneReport;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Engines;
import dev.prune4j.prune.MagnitudePruner;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.sparsegpt.SparseGptPruner;
import dev.prune4j.wanda.WandaPruner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What a Java tool that links prune4j-core alone does: prune a safetensors checkpoint folder with
 * magnitude (one global threshold), Wanda (per output row) and SparseGPT (2:4). The README shows the
 * part between the markers; a test keeps the two the same.
 *
 * <p>{@code java -cp prune4j-core.jar:. dev.prune4j.example.PruneACheckpoint MODEL CALIBRATION OUT [ENGINE]}
 */
public final class PruneACheckpoint {
    private PruneACheckpoint() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: PruneACheckpoint MODEL_DIR CALIBRATION_FILE OUTPUT_DIR [cpu|auto]");
            return;
        }
        for (PruneReport r : prune(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]),
                args.length > 3 ? args[3] : "cpu")) {
            System.out.printf("%-10s %s: %d of %d weights pruned (%.1f %%) on %s%n", r.method(), r.spec(),
                    r.prunedWeights(), r.selectedWeights(), 100 * r.sparsity(), r.engine());
        }
    }

    /** The three methods on {@code model}; outputs in {@code out/magnitude}, {@code out/wanda}, {@code out/sparsegpt}. */
    public static List<PruneReport> prune(Path model, Path calibration, Path out, String engineName) throws IOException {
        // README:begin
        try (Engine engine = Engines.create(engineName)) {   // "cpu", or "auto" to use a GPU when prune4j-cuda is there
            PruneReport magnitude = CheckpointPruner.prune(engine, model, out.resolve("magnitude"),
                    Request.of(new MagnitudePruner(), PruneSpec.global(0.5)), (tensor, bytes) -> {});
            PruneReport wanda = CheckpointPruner.prune(engine, model, out.resolve("wanda"),
                    Request.of(new WandaPruner(), PruneSpec.perRow(0.5), calibration), (tensor, bytes) -> {});
            PruneReport sparseGpt = CheckpointPruner.prune(engine, model, out.resolve("sparsegpt"),
                    Request.of(new SparseGptPruner(), PruneSpec.nm(2, 4), calibration), (tensor, bytes) -> {});
            return List.of(magnitude, wanda, sparseGpt);
        }
        // README:end
    }
}
