package dev.prune4j.analysis;

import dev.prune4j.internal.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The output formats of {@code analyze} and {@code compare}: an aligned terminal table, CSV (a header
 * row, one row per tensor and a final {@code overall} row) and JSON.
 *
 * <pre>{@code
 * ReportFormat.parse("csv").write(report, System.out);
 * }</pre>
 *
 * <p>CSV holds the per-tensor rows only; tensors skipped or present on one side only are listed in
 * the table and the JSON. Numbers in CSV and JSON are written with full double precision (a value
 * that does not exist, such as the mean of no weights, is an empty CSV cell or JSON {@code null}).
 */
public enum ReportFormat {
    /** Aligned columns with human-readable units, for a terminal. */
    TABLE,
    /** RFC 4180 CSV with a header row. */
    CSV,
    /** Indented JSON. */
    JSON;

    /** Parses {@code table}, {@code csv} or {@code json} (any case). */
    public static ReportFormat parse(String spelling) {
        try {
            return valueOf(spelling.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown format '" + spelling + "' (expected table, csv or json)");
        }
    }

    /** Writes {@code report} in this format. */
    public void write(SparsityReport report, Appendable out) throws IOException {
        out.append(switch (this) {
            case TABLE -> ReportTable.format(report);
            case CSV -> ReportCsv.format(report);
            case JSON -> Json.writePretty(ReportJson.toJson(report));
        });
    }

    /** Writes {@code similarity} in this format. */
    public void write(MaskSimilarity similarity, Appendable out) throws IOException {
        out.append(switch (this) {
            case TABLE -> ReportTable.format(similarity);
            case CSV -> ReportCsv.format(similarity);
            case JSON -> Json.writePretty(ReportJson.toJson(similarity));
        });
    }

    /** {@code report} in this format, as a string. */
    public String format(SparsityReport report) {
        StringBuilder sb = new StringBuilder();
        try {
            write(report, sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringBuilder does not throw
        }
        return sb.toString();
    }

    /** {@code similarity} in this format, as a string. */
    public String format(MaskSimilarity similarity) {
        StringBuilder sb = new StringBuilder();
        try {
            write(similarity, sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }
}
