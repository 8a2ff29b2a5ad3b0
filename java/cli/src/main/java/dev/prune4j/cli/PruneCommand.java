package dev.prune4j.cli;

import dev.prune4j.checkpoint.CheckpointPruner;
import dev.prune4j.checkpoint.PruneReport;
import dev.prune4j.checkpoint.TensorSelector;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Engines;
import dev.prune4j.method.Methods;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.prune.Scope;
import dev.prune4j.safetensors.Links;
import dev.prune4j.sparsegpt.SparseGpt;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code prune}: prunes a checkpoint folder into a new one. */
@Command(name = "prune", sortOptions = false, usageHelpAutoWidth = true,
        description = "Prune a safetensors checkpoint folder into a new folder (magnitude, Wanda, SparseGPT).",
        footer = {"",
            "The output folder (must not exist or be empty) receives every tensor, pruned ones updated,",
            "the other files copied, and prune4j/masks.safetensors + prune4j/report.json. The input is",
            "never modified. Symbolic links in the input are followed only when they stay inside it or",
            "its Hugging Face cache repository (--follow-symlinks: any). Disk space and the memory of the",
            "largest Hessian are checked before the first layer; Ctrl-C or SIGTERM removes the partial",
            "output, and what a killed run left (.DIR.*.tmp) is named by the next run (--remove-stale)."})
final class PruneCommand implements Callable<Integer> {
    /** The largest --percdamp: damping equal to the mean of the Hessian's diagonal. */
    static final double MAX_PERCDAMP = 1.0;

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "the checkpoint folder to prune")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "the new folder (must not exist or be empty)")
    Path output;

    @Option(names = "--method", paramLabel = "NAME", defaultValue = "magnitude",
            description = "magnitude (default), wanda (|W| * ||X||), sparsegpt (OBS weight updates)")
    String method;

    @Option(names = "--sparsity", paramLabel = "R", converter = Options.Decimal.class,
            description = "prune exactly floor(R * n) weights per row, per tensor, or (magnitude only) over all selected tensors together (--scope; default tensor for magnitude and sparsegpt, row for wanda); ties go to the lower flat index")
    Double sparsity;

    @Option(names = "--pattern", paramLabel = "N:M", converter = Options.NmPatternName.class,
            description = "keep N of every M consecutive weights of a row (2:4, 4:8)")
    NmPattern pattern;

    @Option(names = "--scope", paramLabel = "row|tensor|global", converter = Options.ScopeName.class,
            description = "where --sparsity is exact")
    Scope scope;

    @Option(names = "--calibration", paramLabel = "FILE",
            description = "safetensors file with, per pruned weight NAME, NAME.inputs [tokens, in] or NAME.act_norm_sq + NAME.act_count (wanda) / NAME.hessian + NAME.hessian_count (sparsegpt); needed by wanda and sparsegpt; with magnitude it only serves to report the reconstruction error")
    Path calibration;

    @Option(names = "--include", paramLabel = "REGEX",
            description = "regular expression for the tensor names to prune (whole name); default: the 2-D weights of linear layers (no embeddings, norms or lm_head)")
    String include;

    @Option(names = "--engine", paramLabel = "cpu|cuda|auto", defaultValue = "auto", converter = Options.EngineName.class,
            description = "cpu, cuda, or auto (default: cuda when usable, else cpu)")
    String engine;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
            description = "the per-layer report on stdout as a table (default) or JSON")
    String format;

    @Option(names = "--block-size", paramLabel = "B", converter = Options.Whole.class,
            description = "SparseGPT columns per block (default 128)")
    Integer blockSize;

    @Option(names = "--percdamp", paramLabel = "D", converter = Options.Decimal.class,
            description = "SparseGPT damping relative to the mean Hessian diagonal (default 0.01)")
    Double percDamp;

    @Option(names = "--no-error", description = "skip the per-layer reconstruction error ||W X^T - W' X^T||^2")
    boolean noError;

    @Option(names = "--follow-symlinks",
            description = "follow symbolic links in the input folder that lead outside it (by default only links inside it or into its Hugging Face cache repository are followed)")
    boolean followSymlinks;

    @Option(names = "--remove-stale", description = "delete what an earlier run into the same output left when it was killed (.NAME.*.tmp)")
    boolean removeStale;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Override
    public Integer call() throws Exception {
        CheckpointPruner.Request request = request();
        if (!Files.isDirectory(input)) {
            throw new IllegalArgumentException("--input " + input + (Files.exists(input) ? " is not a folder" : ": no such folder"));
        }
        if (request.calibration() != null) {
            Main.requireFile(request.calibration(), "--calibration");
        }
        Outputs.folder(output, removeStale);
        long bytes;
        try (var files = Files.list(input)) {
            bytes = files.filter(p -> p.toString().endsWith(".safetensors")).mapToLong(p -> p.toFile().length()).sum();
        }
        PruneReport report;
        try (Engine e = Engines.create(engine); Progress progress = new Progress("prune", bytes)) {
            report = CheckpointPruner.prune(e, input, output, request, progress::advance);
        } catch (TensorSelector.SelectionException e) {
            // The pattern is valid but fails on this checkpoint (matches nothing, or overflows the
            // stack on a long name): a failure (exit 1) that names the option.
            throw include != null ? new IllegalArgumentException("--include: " + e.getMessage(), e) : e;
        }
        PrintWriter out = spec.commandLine().getOut();
        if (format.equals("json")) {
            out.print(report.toJson());
            out.flush();
            return 0;
        }
        out.printf("%-48s %-14s %10s %14s%n", "layer", "shape", "sparsity", "recon. error");
        for (PruneReport.Layer l : report.layers()) {
            out.printf("%-48s %-14s %9.2f%% %14s%n", Messages.clean(l.name()), shape(l.shape()), 100 * l.sparsity(),
                    Double.isNaN(l.reconstructionError()) ? "-" : String.format("%.4g", l.reconstructionError()));
        }
        out.printf("pruned %d tensors of %s by %s on %s: %d of %d weights (%.2f %%) in %.1f s -> %s%n",
                report.layers().size(), Messages.clean(input.toString()), report.describe(), report.engine(),
                report.prunedWeights(), report.selectedWeights(), 100 * report.sparsity(), report.seconds(),
                Messages.clean(output.toString()));
        out.flush();
        return 0;
    }

    /** The request the options describe; any inconsistency is a usage error naming the options. */
    private CheckpointPruner.Request request() {
        if ((sparsity == null) == (pattern == null)) {
            throw new UsageException("give exactly one of --sparsity and --pattern");
        }
        if (pattern != null && scope != null) {
            throw new UsageException("--scope applies to --sparsity, not to --pattern");
        }
        if (!format.equals("table") && !format.equals("json")) {
            throw new UsageException("unknown --format '" + Messages.clean(format) + "' (expected table or json)");
        }
        if (percDamp != null && !(percDamp > 0 && percDamp <= MAX_PERCDAMP)) {
            // 0 would make SparseGPT's retries (ten times the damping each) retry with 0 again; above 1
            // the damping outweighs the Hessian, and huge values overflow F32.
            throw new UsageException("--percdamp must be a number in (0, " + MAX_PERCDAMP
                    + "], a fraction of the mean Hessian diagonal; got " + percDamp);
        }
        try {
            SparseGpt.Options options = SparseGpt.Options.DEFAULT
                    .withBlockSize(blockSize != null ? blockSize : SparseGpt.Options.DEFAULT.blockSize())
                    .withPercDamp(percDamp != null ? percDamp : SparseGpt.Options.DEFAULT.percDamp());
            LayerPruner<?> pruner = Methods.named(method, options);
            PruneSpec target = pattern != null ? PruneSpec.nm(pattern)
                    : scope != null ? PruneSpec.unstructured(sparsity, scope) : pruner.defaultSpec(sparsity);
            if (pruner.statistics().needsCalibration() && calibration == null) {
                throw new UsageException(pruner.name() + " needs calibration data (--calibration FILE)");
            }
            TensorSelector selector = include != null ? includePattern() : TensorSelector.linearLayers();
            return new CheckpointPruner.Request(pruner, target, selector, calibration, !noError,
                    followSymlinks ? Links.ANY : Links.CONTAINED);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private TensorSelector includePattern() {
        try {
            return TensorSelector.matching(include);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--include: " + e.getMessage());
        }
    }

    private static String shape(long[] dims) {
        return Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }
}
