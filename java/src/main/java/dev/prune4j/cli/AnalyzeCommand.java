package dev.prune4j.cli;

import dev.prune4j.analysis.ReportFormat;
import dev.prune4j.analysis.SparsityPlot;
import dev.prune4j.analysis.SparsityReport;
import dev.prune4j.analysis.TensorStats;
import dev.prune4j.engine.CpuEngine;
import dev.prune4j.safetensors.Checkpoint;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code analyze}: sparsity and magnitude statistics of a checkpoint. */
final class AnalyzeCommand implements Command {
    @Override
    public String name() {
        return "analyze";
    }

    @Override
    public String summary() {
        return "sparsity and |w| statistics per tensor and overall";
    }

    @Override
    public String usage() {
        return """
                usage: ./prune4j analyze --input DIR [--threshold T] [--format table|csv|json] [--plot FILE.png]

                Per tensor and overall: count, zeros, sparsity, fraction with |w| > T (default 0.2),
                min/max/mean/std of |w| and a histogram of log10 |w|. --plot draws the per-tensor
                sparsity as a bar chart.
                """;
    }

    @Override
    public void run(List<String> argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, Set.of("input", "threshold", "format", "plot"), Set.of());
        Path input = args.path("input");
        double threshold = args.doubleValue("threshold", TensorStats.DEFAULT_THRESHOLD);
        ReportFormat format;
        try {
            format = ReportFormat.parse(args.get("format", "table"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        try (Checkpoint checkpoint = Checkpoint.open(input);
             CpuEngine engine = new CpuEngine()) {
            SparsityReport report = SparsityReport.analyze(checkpoint.tensorNames(), CheckpointTensors.lookup(checkpoint),
                    threshold, engine);
            format.write(report, out);
            if (args.has("plot")) {
                SparsityPlot.write(report, SparsityPlot.Metric.SPARSITY, Path.of(args.require("plot")));
            }
        }
        out.flush();
    }
}
