package dev.prune4j.cli;

import dev.prune4j.analysis.MaskSimilarity;
import dev.prune4j.analysis.ReportFormat;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.safetensors.Links;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code compare}: Jaccard distance between the zero patterns of two checkpoints. */
@Command(name = "compare", sortOptions = false,
        description = "Jaccard distance between the zero patterns of two checkpoints.",
        footer = {"",
            "Per tensor present in both (same name and shape) and overall: 1 - |Za & Zb| / |Za | Zb|,",
            "where Z is the set of positions holding zero; 0 when neither has a zero. Checkpoints with no",
            "tensor in common are an error."})
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--a", required = true, paramLabel = "DIR", description = "the first checkpoint folder")
    Path a;

    @Option(names = "--b", required = true, paramLabel = "DIR", description = "the second checkpoint folder")
    Path b;

    @Option(names = "--format", paramLabel = "table|csv|json", defaultValue = "table", description = "the output format")
    String format;

    @Option(names = "--follow-symlinks",
            description = "follow symbolic links in the folders that lead outside them (by default only links inside them or into their Hugging Face cache repository)")
    boolean followSymlinks;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Override
    public Integer call() throws Exception {
        ReportFormat reportFormat;
        try {
            reportFormat = ReportFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        Links links = followSymlinks ? Links.ANY : Links.CONTAINED;
        try (Checkpoint ca = Checkpoint.open(a, links); Checkpoint cb = Checkpoint.open(b, links);
             CpuEngine engine = new CpuEngine()) {
            MaskSimilarity similarity = CheckpointTensors.reading(List.of(ca, cb), () -> MaskSimilarity.compare(
                    ca.tensorNames(), CheckpointTensors.lookup(ca), cb.tensorNames(), CheckpointTensors.lookup(cb), engine));
            if (similarity.tensors().isEmpty()) {
                // A distance of 0 would read as "same zeros"; with nothing to compare there is no distance.
                throw new IllegalArgumentException(Messages.clean(a.toString()) + " and " + Messages.clean(b.toString())
                        + " have no tensor in common (same name and shape): nothing to compare");
            }
            reportFormat.write(similarity, out);
        }
        out.flush();
        return 0;
    }
}
