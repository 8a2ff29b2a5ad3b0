package dev.prune4j.cli;

import dev.prune4j.analysis.MaskSimilarity;
import dev.prune4j.analysis.ReportFormat;
import dev.prune4j.engine.CpuEngine;
import dev.prune4j.safetensors.Checkpoint;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** {@code compare}: Jaccard distance between the zero patterns of two checkpoints. */
final class CompareCommand implements Command {
    @Override
    public String name() {
        return "compare";
    }

    @Override
    public String summary() {
        return "Jaccard distance between the zero patterns of two checkpoints";
    }

    @Override
    public String usage() {
        return """
                usage: ./prune4j compare --a DIR --b DIR [--format table|csv|json]

                Per tensor present in both (same name and shape) and overall: 1 - |Za & Zb| / |Za | Zb|,
                where Z is the set of positions holding zero; 0 when neither has a zero.
                """;
    }

    @Override
    public void run(List<String> argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, Set.of("a", "b", "format"), Set.of());
        ReportFormat format;
        try {
            format = ReportFormat.parse(args.get("format", "table"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        try (Checkpoint a = Checkpoint.open(args.path("a"));
             Checkpoint b = Checkpoint.open(args.path("b"));
             CpuEngine engine = new CpuEngine()) {
            MaskSimilarity similarity = MaskSimilarity.compare(a.tensorNames(), CheckpointTensors.lookup(a),
                    b.tensorNames(), CheckpointTensors.lookup(b), engine);
            format.write(similarity, out);
        }
        out.flush();
    }
}
