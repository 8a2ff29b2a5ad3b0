package dev.prune4j.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reports as aligned text tables with human-readable units, for a terminal. */
final class ReportTable {
    /** Width of the longest bar of the text histogram. */
    private static final int BAR = 40;

    private ReportTable() {}

    static String format(SparsityReport r) {
        MagnitudeStats all = r.overall();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Sparsity of %d tensor%s, %s weights; t = %s (|w| > t)%n",
                r.tensors().size(), r.tensors().size() == 1 ? "" : "s", Counts.compact(all.count()), plain(r.threshold())));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"tensor", "dtype", "shape", "weights", "zeros", "sparsity", "|w|>t",
                "min|w|>0", "max|w|", "mean|w|", "std|w|"});
        for (TensorStats t : r.tensors()) {
            rows.add(statsRow(DisplayText.clean(t.name()), t.dtype().name(), t.shapeText(), t.stats()));
        }
        rows.add(statsRow(MaskSimilarity.OVERALL, "", "", all));
        table(sb, rows, 3);
        if (all.nonFinite() > 0) {
            sb.append(String.format(Locale.ROOT, "non-finite weights (NaN, inf), left out of |w| statistics: %s%n",
                    Counts.compact(all.nonFinite())));
        }
        for (SkippedTensor s : r.skipped()) {
            sb.append("skipped: ").append(DisplayText.clean(s.name())).append(" (").append(DisplayText.clean(s.reason())).append(")\n");
        }
        histogram(sb, all.log10Histogram());
        return sb.toString();
    }

    static String format(MaskSimilarity s) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "Jaccard distance of zero patterns (0 = same zeros, 1 = no zero in common), %d tensor%s%n",
                s.tensors().size(), s.tensors().size() == 1 ? "" : "s"));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"tensor", "shape", "weights", "zeros A", "zeros B", "both", "either", "distance"});
        for (ZeroOverlap o : s.tensors()) {
            rows.add(overlapRow(o));
        }
        rows.add(overlapRow(s.overall()));
        table(sb, rows, 2);
        if (!s.onlyInA().isEmpty()) {
            sb.append("only in A: ").append(DisplayText.clean(String.join(", ", s.onlyInA()))).append('\n');
        }
        if (!s.onlyInB().isEmpty()) {
            sb.append("only in B: ").append(DisplayText.clean(String.join(", ", s.onlyInB()))).append('\n');
        }
        for (SkippedTensor k : s.skipped()) {
            sb.append("skipped: ").append(DisplayText.clean(k.name())).append(" (").append(DisplayText.clean(k.reason())).append(")\n");
        }
        return sb.toString();
    }

    private static String[] statsRow(String name, String dtype, String shape, MagnitudeStats s) {
        return new String[] {name, dtype, shape, Counts.compact(s.count()), Counts.compact(s.zeros()), percent(s.sparsity()),
                percent(s.fractionAboveThreshold()), magnitude(s.minNonZeroAbs()), magnitude(s.maxAbs()),
                magnitude(s.meanAbs()), magnitude(s.stdAbs())};
    }

    private static String[] overlapRow(ZeroOverlap o) {
        return new String[] {DisplayText.clean(o.name()), o.shapeText(), Counts.compact(o.size()), Counts.compact(o.zerosA()), Counts.compact(o.zerosB()),
                Counts.compact(o.intersection()), Counts.compact(o.union()), String.format(Locale.ROOT, "%.4f", o.jaccardDistance())};
    }

    /**
     * Left-aligns the first {@code textColumns} columns and right-aligns the numbers; a rule under the
     * header and above the last (overall) row.
     */
    private static void table(StringBuilder sb, List<String[]> rows, int textColumns) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] row : rows) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        int total = (cols - 1) * 2;
        for (int w : width) {
            total += w;
        }
        for (int r = 0; r < rows.size(); r++) {
            if (r == rows.size() - 1 && rows.size() > 2) {
                sb.append("-".repeat(total)).append('\n');
            }
            String[] row = rows.get(r);
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                if (c > 0) {
                    line.append("  ");
                }
                String pad = " ".repeat(width[c] - row[c].length());
                line.append(c < textColumns ? row[c] + pad : pad + row[c]);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
            if (r == 0) {
                sb.append("-".repeat(total)).append('\n');
            }
        }
    }

    /** The non-empty range of the histogram as text bars. */
    private static void histogram(StringBuilder sb, long[] h) {
        int first = -1;
        int last = -1;
        long max = 0;
        for (int b = 0; b < h.length; b++) {
            if (h[b] > 0) {
                first = first < 0 ? b : first;
                last = b;
                max = Math.max(max, h[b]);
            }
        }
        sb.append('\n').append(Log10Bins.description()).append(", all tensors:\n");
        if (first < 0) {
            sb.append("  (no non-zero finite weights)\n");
            return;
        }
        long total = 0;
        for (long c : h) {
            total += c;
        }
        for (int b = first; b <= last; b++) {
            int len = (int) Math.round((double) h[b] / max * BAR);
            sb.append(String.format(Locale.ROOT, "  %-12s %8s %6s  %s%n", Log10Bins.label(b), Counts.compact(h[b]),
                    percent((double) h[b] / total), "#".repeat(h[b] > 0 ? Math.max(1, len) : 0)));
        }
    }

    /** 999, 1.23k, 16.8M, 6.74G. */

    private static String percent(double f) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * f);
    }

    private static String magnitude(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3g", v);
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
