package dev.prune4j.model.eval.lm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A {@link DomainTable} as markdown (perplexity table, then mask distances) and as two CSV files. */
public final class DomainReport {
    public static final String PERPLEXITY_CSV_HEADER = "calibration,evaluation,perplexity,actual_sparsity";
    public static final String JACCARD_CSV_HEADER = "a,b,layer_type,jaccard_distance,zeros_a,zeros_b,zeros_both";

    private DomainReport() {}

    public static String markdown(DomainTable t, String title, List<String> notes) {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        if (!notes.isEmpty()) {
            sb.append('\n');
        }
        sb.append("Perplexity; rows: the text the method was calibrated on; columns: the text scored.\n\n");
        sb.append("| calibrated on | actual sparsity |");
        t.domains().forEach(d -> sb.append(" ").append(d).append(" |"));
        sb.append("\n| --- | ---: |").append(" ---: |".repeat(t.domains().size())).append('\n');
        sb.append("| (dense) | - |");
        for (double p : t.dense()) {
            sb.append(" ").append(PerplexityReport.perplexity(p)).append(" |");
        }
        sb.append('\n');
        for (int c = 0; c < t.domains().size(); c++) {
            sb.append(String.format(Locale.ROOT, "| %s | %.4f |", t.domains().get(c), t.actualSparsity()[c]));
            for (double p : t.perplexity()[c]) {
                sb.append(" ").append(PerplexityReport.perplexity(p)).append(" |");
            }
            sb.append('\n');
        }
        // Distances: one row per layer type, one column per pair.
        Map<String, Map<String, Double>> byType = new LinkedHashMap<>();
        List<String> pairs = new ArrayList<>();
        for (DomainTable.MaskDistance d : t.distances()) {
            String pair = d.a() + " / " + d.b();
            if (!pairs.contains(pair)) {
                pairs.add(pair);
            }
            byType.computeIfAbsent(d.layerType(), k -> new LinkedHashMap<>()).put(pair, d.jaccardDistance());
        }
        sb.append("\nJaccard distance between the masks (zero positions), 1 - |Za & Zb| / |Za | Zb|; "
                + "per layer type over all decoder layers, and overall:\n\n| layer type |");
        pairs.forEach(p -> sb.append(" ").append(p).append(" |"));
        sb.append("\n| --- |").append(" ---: |".repeat(pairs.size())).append('\n');
        for (Map.Entry<String, Map<String, Double>> e : byType.entrySet()) {
            sb.append("| ").append(e.getKey()).append(" |");
            for (String p : pairs) {
                sb.append(String.format(Locale.ROOT, " %.4f |", e.getValue().getOrDefault(p, Double.NaN)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public static String perplexityCsv(DomainTable t) {
        StringBuilder sb = new StringBuilder(PERPLEXITY_CSV_HEADER).append('\n');
        for (int e = 0; e < t.domains().size(); e++) {
            sb.append(String.format(Locale.ROOT, "dense,%s,%.6g,%s%n", t.domains().get(e), t.dense()[e], ""));
        }
        for (int c = 0; c < t.domains().size(); c++) {
            for (int e = 0; e < t.domains().size(); e++) {
                sb.append(String.format(Locale.ROOT, "%s,%s,%.6g,%.6f%n", t.domains().get(c), t.domains().get(e),
                        t.perplexity()[c][e], t.actualSparsity()[c]));
            }
        }
        return sb.toString();
    }

    public static String jaccardCsv(DomainTable t) {
        StringBuilder sb = new StringBuilder(JACCARD_CSV_HEADER).append('\n');
        for (DomainTable.MaskDistance d : t.distances()) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%.6f,%d,%d,%d%n", d.a(), d.b(), d.layerType(),
                    d.jaccardDistance(), d.overlap().zerosA(), d.overlap().zerosB(), d.overlap().intersection()));
        }
        return sb.toString();
    }
}
