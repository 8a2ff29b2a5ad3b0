package dev.prune4j.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reports as RFC 4180 CSV: a header row, one row per tensor, a final {@code overall} row. */
final class ReportCsv {
    private ReportCsv() {}

    static String format(SparsityReport r) {
        List<String> header = new ArrayList<>(List.of("tensor", "dtype", "shape", "count", "zeros", "sparsity",
                "non_finite", "threshold", "above_threshold", "fraction_above_threshold", "min_abs",
                "min_nonzero_abs", "max_abs", "mean_abs", "std_abs"));
        for (int b = 0; b < Log10Bins.COUNT; b++) {
            header.add(binColumn(b));
        }
        StringBuilder sb = new StringBuilder();
        row(sb, header);
        for (TensorStats t : r.tensors()) {
            row(sb, statsRow(t.name(), t.dtype().name(), t.shapeText(), t.stats()));
        }
        row(sb, statsRow(MaskSimilarity.OVERALL, "", "", r.overall()));
        return sb.toString();
    }

    static String format(MaskSimilarity s) {
        StringBuilder sb = new StringBuilder();
        row(sb, List.of("tensor", "shape", "size", "zeros_a", "zeros_b", "intersection", "union", "jaccard_distance"));
        for (ZeroOverlap o : s.tensors()) {
            row(sb, overlapRow(o));
        }
        row(sb, overlapRow(s.overall()));
        return sb.toString();
    }

    /** Column names without commas, so that {@code cut -d,} works: {@code log10_-8.0_-7.5}. */
    static String binColumn(int bin) {
        if (bin == 0) {
            return "log10_lt_" + (long) Log10Bins.LOW;
        }
        if (bin == Log10Bins.COUNT - 1) {
            return "log10_ge_" + (long) Log10Bins.HIGH;
        }
        double from = Log10Bins.LOW + Log10Bins.STEP * (bin - 1);
        return String.format(Locale.ROOT, "log10_%.1f_%.1f", from, from + Log10Bins.STEP);
    }

    private static List<String> statsRow(String name, String dtype, String shape, MagnitudeStats s) {
        List<String> row = new ArrayList<>(List.of(name, dtype, shape, Long.toString(s.count()),
                Long.toString(s.zeros()), num(s.sparsity()), Long.toString(s.nonFinite()), num(s.threshold()),
                Long.toString(s.aboveThreshold()), num(s.fractionAboveThreshold()), num(s.minAbs()),
                num(s.minNonZeroAbs()), num(s.maxAbs()), num(s.meanAbs()), num(s.stdAbs())));
        for (long c : s.log10Histogram()) {
            row.add(Long.toString(c));
        }
        return row;
    }

    private static List<String> overlapRow(ZeroOverlap o) {
        return List.of(o.name(), o.shapeText(), Long.toString(o.size()), Long.toString(o.zerosA()),
                Long.toString(o.zerosB()), Long.toString(o.intersection()), Long.toString(o.union()),
                num(o.jaccardDistance()));
    }

    /** Full precision (parses back to the same double); a missing value is an empty cell. */
    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.toString(v);
    }

    private static void row(StringBuilder sb, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(quote(cells.get(i)));
        }
        sb.append('\n');
    }

    /** RFC 4180 quoting, control characters escaped ({@link DisplayText}): one record per line, nothing for a terminal to obey. */
    private static String quote(String raw) {
        String cell = DisplayText.clean(raw);
        if (cell.indexOf(',') < 0 && cell.indexOf('"') < 0 && cell.indexOf('\n') < 0 && cell.indexOf('\r') < 0) {
            return cell;
        }
        return '"' + cell.replace("\"", "\"\"") + '"';
    }
}
