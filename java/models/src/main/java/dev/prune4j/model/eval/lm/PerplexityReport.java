package dev.prune4j.model.eval.lm;

import java.util.List;
import java.util.Locale;

/** A perplexity table as markdown (with the run's notes above it) and as CSV, one row per model. */
public final class PerplexityReport {
    public static final String CSV_HEADER = "method,setting,sparsity,actual_sparsity,perplexity,seconds";

    private PerplexityReport() {}

    /**
     * @param title the heading
     * @param notes lines printed as a list under the heading (how the run was set up)
     */
    public static String markdown(List<PerplexityResult> results, String title, List<String> notes) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(title).append("\n\n");
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        if (!notes.isEmpty()) {
            sb.append('\n');
        }
        sb.append("| method | setting | sparsity | actual | perplexity | prune s | eval s | CPU s |\n");
        sb.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (PerplexityResult r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.4f | %s | %.1f | %.1f | %.1f |%n", r.method(),
                    r.setting(), r.sparsity(), r.actualSparsity(), perplexity(r.perplexity()), r.pruneSeconds(),
                    r.evalSeconds(), r.cpuSeconds()));
        }
        return sb.toString();
    }

    public static String csv(List<PerplexityResult> results) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (PerplexityResult r : results) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%.6f,%.6g,%.2f%n", r.method(), r.setting(), r.sparsity(),
                    r.actualSparsity(), r.perplexity(), r.seconds()));
        }
        return sb.toString();
    }

    /** Three decimals where they mean something, fewer digits where the model has collapsed. */
    static String perplexity(double p) {
        if (!Double.isFinite(p)) {
            return String.valueOf(p);
        }
        if (p < 1000) {
            return String.format(Locale.ROOT, "%.3f", p);
        }
        return p < 1e7 ? String.format(Locale.ROOT, "%.0f", p) : String.format(Locale.ROOT, "%.3g", p);
    }
}
