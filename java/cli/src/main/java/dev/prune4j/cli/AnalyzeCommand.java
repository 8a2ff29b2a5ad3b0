package dev.prune4j.cli;

import dev.prune4j.analysis.ReportFormat;
import dev.prune4j.analysis.SparsityReport;
import dev.prune4j.analysis.TensorStats;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.io.AtomicFiles.Existing;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.safetensors.Links;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code analyze}: sparsity and magnitude statistics of a checkpoint. */
@Command(name = "analyze", sortOptions = false,
        description = "Sparsity and |w| statistics per tensor and overall.",
        footer = {"",
            "Per tensor and overall: count, zeros, sparsity, fraction with |w| > T, min/max/mean/std of",
            "|w| and a histogram of log10 |w|."})
final class AnalyzeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "the checkpoint folder")
    Path input;

    @Option(names = "--threshold", paramLabel = "T", converter = Options.Decimal.class,
            description = "count the weights with |w| > T (default 0.2)")
    Double threshold;

    @Option(names = "--format", paramLabel = "table|csv|json", defaultValue = "table", description = "the output format")
    String format;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "also draw the per-tensor sparsity as a bar chart")
    Path plot;

    @Option(names = "--force", description = "replace --plot if it is an existing file")
    boolean force;

    @Option(names = "--follow-symlinks",
            description = "follow symbolic links in the folder that lead outside it (by default only links inside it or into its Hugging Face cache repository)")
    boolean followSymlinks;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Override
    public Integer call() throws Exception {
        double t = threshold != null ? threshold : TensorStats.DEFAULT_THRESHOLD;
        if (!(t >= 0) || Double.isInfinite(t)) {
            throw new UsageException("--threshold must be a finite number >= 0, got " + t);
        }
        ReportFormat reportFormat;
        try {
            reportFormat = ReportFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Existing plotExisting = plot != null ? Outputs.file(plot, force, false) : null;
        PrintWriter out = spec.commandLine().getOut();
        try (Checkpoint checkpoint = Checkpoint.open(input, followSymlinks ? Links.ANY : Links.CONTAINED);
             CpuEngine engine = new CpuEngine()) {
            SparsityReport report = CheckpointTensors.reading(checkpoint, () -> SparsityReport.analyze(
                    checkpoint.tensorNames(), CheckpointTensors.lookup(checkpoint), t, engine));
            reportFormat.write(report, out);
            if (plot != null) {
                SparsityPlot.write(report, SparsityPlot.Metric.SPARSITY, plot, plotExisting);
            }
        }
        out.flush();
        return 0;
    }
}
