package dev.prune4j.cli;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Engines;
import dev.prune4j.io.Json;
import dev.prune4j.prune.CheckpointPruner;
import dev.prune4j.prune.CheckpointPruner.Method;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.prune.Scope;
import dev.prune4j.prune.TensorSelector;
import dev.prune4j.sparsegpt.SparseGpt;
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
        return "prune a safetensors checkpoint folder into a new folder (magnitude, Wanda, SparseGPT)";
    }

    @Override
    public String usage() {
        return """
                usage: ./prune4j prune --input DIR --output DIR [--method magnitude|wanda|sparsegpt]
                                       (--sparsity R [--scope row|tensor|global] | --pattern N:M)
                                       [--calibration FILE] [--include REGEX] [--engine cpu|cuda|auto]
                                       [--format table|json] [--block-size B] [--percdamp D] [--no-error]

                --method       magnitude (default), wanda (|W| * ||X||), sparsegpt (OBS weight updates)
                --sparsity R   prune exactly floor(R * n) weights per row, per tensor, or (magnitude only)
                               over all selected tensors together: --scope, default tensor for magnitude
                               and sparsegpt, row for wanda; ties go to the lower flat index
                --pattern N:M  keep N of every M consecutive weights of a row (2:4, 4:8)
                --calibration  safetensors file with, per pruned weight NAME, NAME.inputs [tokens, in]
                               or NAME.act_norm_sq + NAME.act_count (wanda) / NAME.hessian +
                               NAME.hessian_count (sparsegpt); needed by wanda and sparsegpt; with
                               magnitude it only serves to report the reconstruction error
                --include      regular expression for the tensor names to prune (whole name); default:
                               the 2-D weights of linear layers (no embeddings, norms or lm_head)
                --engine       cpu, cuda, or auto (default: cuda when usable, else cpu)
                --format       per-layer report on stdout as a table (default) or JSON
                --block-size   SparseGPT columns per block (default 128); --percdamp its damping
                               (default 0.01 of the mean Hessian diagonal)
                --no-error     skip the per-layer reconstruction error ||W X^T - W' X^T||^2

                The output folder (must not exist or be empty) receives every tensor, pruned ones
                updated, the other files copied, and prune4j/masks.safetensors + prune4j/report.json.
                """;
    }

    private static String shape(long[] dims) {
        return java.util.Arrays.stream(dims).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining("x"));
    }

    @Override
    public void run(List<String> argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, Set.of("input", "output", "method", "sparsity", "pattern", "scope", "include",
                "engine", "calibration", "format", "block-size", "percdamp"), Set.of("no-error"));
        Path input = args.path("input");
        Path output = args.path("output");
        args.exactlyOneOf("sparsity", "pattern");
        CheckpointPruner.Request request;
        String format = args.get("format", "table");
        try {
            Method method = Method.parse(args.get("method", "magnitude"));
            PruneSpec spec;
            if (args.has("pattern")) {
                if (args.has("scope")) {
                    throw new UsageException("--scope applies to --sparsity, not to --pattern");
                }
                spec = PruneSpec.nm(NmPattern.parse(args.require("pattern")));
            } else {
                String defaultScope = method == Method.WANDA ? "row" : "tensor";
                spec = PruneSpec.unstructured(args.doubleValue("sparsity", 0), Scope.parse(args.get("scope", defaultScope)));
            }
            Engines.checkKind(args.get("engine", "auto"));
            TensorSelector selector = args.has("include")
                    ? TensorSelector.matching(args.require("include")) : TensorSelector.linearLayers();
            if (!format.equals("table") && !format.equals("json")) {
                throw new UsageException("unknown --format '" + format + "' (expected table or json)");
            }
            SparseGpt.Options options = SparseGpt.Options.DEFAULT
                    .withBlockSize(args.intValue("block-size", SparseGpt.Options.DEFAULT.blockSize()))
                    .withPercDamp(args.doubleValue("percdamp", SparseGpt.Options.DEFAULT.percDamp()));
            request = new CheckpointPruner.Request(method, spec, selector,
                    args.has("calibration") ? args.path("calibration") : null, options, !args.has("no-error"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (!Files.isDirectory(input)) {
            throw new IllegalArgumentException("input " + input + " is not a folder");
        }
        if (request.calibration() != null && !Files.isRegularFile(request.calibration())) {
            throw new IllegalArgumentException("calibration file " + request.calibration() + " does not exist");
        }
        long bytes;
        try (var files = Files.list(input)) {
            bytes = files.filter(p -> p.toString().endsWith(".safetensors")).mapToLong(p -> p.toFile().length()).sum();
        }
        CheckpointPruner.Result result;
        try (Engine engine = Engines.create(args.get("engine", "auto"));
             Progress progress = new Progress("prune", bytes)) {
            result = CheckpointPruner.prune(engine, input, output, request, progress::advance);
        }
        if (format.equals("json")) {
            out.print(Json.writePretty(result.toJson()));
            return;
        }
        out.printf("%-48s %-14s %10s %14s%n", "layer", "shape", "sparsity", "recon. error");
        for (CheckpointPruner.LayerResult l : result.layers()) {
            out.printf("%-48s %-14s %9.2f%% %14s%n", l.name(), shape(l.shape()),
                    100 * l.sparsity(), Double.isNaN(l.reconstructionError()) ? "-" : String.format("%.4g", l.reconstructionError()));
        }
        out.printf("pruned %d tensors of %s by %s on %s: %d of %d weights (%.2f %%) in %.1f s -> %s%n",
                result.layers().size(), input, request.describe(), result.engine(), result.prunedWeights(),
                result.selectedWeights(), 100 * result.sparsity(), result.seconds(), output);
    }
}
