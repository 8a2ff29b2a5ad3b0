package dev.prune4j.cli;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Engines;
import dev.prune4j.prune.CheckpointPruner;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.prune.Scope;
import dev.prune4j.prune.TensorSelector;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code prune}: prunes a checkpoint folder into a new one. */
final class PruneCommand implements Command {
    @Override
    public String name() {
        return "prune";
    }

    @Override
    public String summary() {
        return "prune a safetensors checkpoint folder into a new folder";
    }

    @Override
    public String usage() {
        return """
                usage: ./prune4j prune --input DIR --output DIR --method magnitude
                                       (--sparsity R [--scope row|tensor|global] | --pattern N:M)
                                       [--include REGEX] [--engine cpu|cuda|auto]

                --sparsity R   prune exactly floor(R * n) weights per row, per tensor, or over all
                               selected tensors together (--scope, default tensor); ties go to the
                               lower flat index
                --pattern N:M  keep the N largest of every M consecutive weights of a row (2:4, 4:8)
                --include      regular expression for the tensor names to prune (whole name); default:
                               the 2-D weights of linear layers (no embeddings, norms or lm_head)
                --engine       cpu, cuda, or auto (default: cuda when usable, else cpu)

                The output folder (must not exist or be empty) receives every tensor, pruned ones
                zeroed, the other files copied, and prune4j/masks.safetensors + prune4j/report.json.
                """;
    }

    @Override
    public void run(List<String> argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv,
                Set.of("input", "output", "method", "sparsity", "pattern", "scope", "include", "engine"), Set.of());
        Path input = args.path("input");
        Path output = args.path("output");
        String method = args.get("method", "magnitude");
        if (!method.equals("magnitude")) {
            throw new UsageException("unknown --method '" + method + "' (expected magnitude)");
        }
        args.exactlyOneOf("sparsity", "pattern");
        PruneSpec spec;
        TensorSelector selector;
        try {
            if (args.has("pattern")) {
                if (args.has("scope")) {
                    throw new UsageException("--scope applies to --sparsity, not to --pattern");
                }
                spec = PruneSpec.nm(NmPattern.parse(args.require("pattern")));
            } else {
                spec = PruneSpec.unstructured(args.doubleValue("sparsity", 0), Scope.parse(args.get("scope", "tensor")));
            }
            Engines.checkKind(args.get("engine", "auto"));
            selector = args.has("include") ? TensorSelector.matching(args.require("include")) : TensorSelector.linearLayers();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (!Files.isDirectory(input)) {
            throw new IllegalArgumentException("input " + input + " is not a folder");
        }
        long bytes;
        try (var files = Files.list(input)) {
            bytes = files.filter(p -> p.toString().endsWith(".safetensors")).mapToLong(p -> p.toFile().length()).sum();
        }
        CheckpointPruner.Result result;
        try (Engine engine = Engines.create(args.get("engine", "auto"));
             Progress progress = new Progress("prune", bytes)) {
            result = CheckpointPruner.magnitude(engine, input, output, spec, selector, progress::advance);
        }
        out.printf("pruned %d tensors of %s by magnitude %s on %s: %d of %d weights (%.2f %%) in %.1f s -> %s%n",
                result.layers().size(), input, spec, result.engine(), result.prunedWeights(), result.selectedWeights(),
                100 * result.sparsity(), result.seconds(), output);
    }
}
