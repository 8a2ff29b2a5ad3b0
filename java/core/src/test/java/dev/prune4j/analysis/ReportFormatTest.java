package dev.prune4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.testing.PrunedTinyLlama;
import dev.prune4j.internal.json.Json;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReportFormatTest {
    private static Arena arena;
    private static SparsityReport report;
    private static MaskSimilarity similarity;

    @BeforeAll
    static void checkpoints() {
        arena = Arena.ofShared();
        List<Tensor> a = new ArrayList<>(PrunedTinyLlama.build(arena, DType.F16, 2, 64, 172, 1));
        a.add(Tensor.allocate(arena, "rotary, \"ids\"", DType.I64, 3)); // a name CSV must quote
        List<Tensor> b = PrunedTinyLlama.build(arena, DType.BF16, 2, 64, 172, 2);
        report = SparsityReport.analyze(a, 0.02);
        similarity = MaskSimilarity.compare(a, b.subList(0, b.size() - 1));
    }

    @AfterAll
    static void free() {
        arena.close();
    }

    @Test
    void jsonReportParsesBackToTheSameNumbers() {
        Map<String, Object> root = Json.parseObject(ReportFormat.JSON.format(report));
        assertEquals(0.02, root.get("threshold"));
        List<?> tensors = (List<?>) root.get("tensors");
        assertEquals(report.tensors().size(), tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            Map<?, ?> m = (Map<?, ?>) tensors.get(i);
            TensorStats t = report.tensors().get(i);
            assertEquals(t.name(), m.get("name"));
            assertEquals("F16", m.get("dtype"));
            assertEquals(toList(t.shape()), m.get("shape"));
            assertStats(t.stats(), m);
        }
        assertStats(report.overall(), (Map<?, ?>) root.get("overall"));
        Map<?, ?> bins = (Map<?, ?>) root.get("histogram_bins");
        assertEquals(Log10Bins.COUNT, ((List<?>) bins.get("labels")).size());
        assertEquals(">=2", ((List<?>) bins.get("labels")).get(Log10Bins.COUNT - 1));
        Map<?, ?> skipped = (Map<?, ?>) ((List<?>) root.get("skipped")).get(0);
        assertEquals("rotary, \"ids\"", skipped.get("name"));
    }

    private static void assertStats(MagnitudeStats s, Map<?, ?> m) {
        assertEquals(s.count(), m.get("count"));
        assertEquals(s.zeros(), m.get("zeros"));
        assertEquals(s.sparsity(), m.get("sparsity"));
        assertEquals(s.aboveThreshold(), m.get("above_threshold"));
        assertEquals(s.fractionAboveThreshold(), m.get("fraction_above_threshold"));
        assertEquals(s.minAbs(), m.get("min_abs"));
        assertEquals(s.minNonZeroAbs(), m.get("min_nonzero_abs"));
        assertEquals(s.maxAbs(), m.get("max_abs"));
        assertEquals(s.meanAbs(), m.get("mean_abs"));
        assertEquals(s.stdAbs(), m.get("std_abs"));
        assertEquals(toList(s.log10Histogram()), m.get("log10_histogram"));
    }

    @Test
    void csvReportParsesBackToTheSameNumbers() {
        List<List<String>> rows = Csv.parse(ReportFormat.CSV.format(report));
        List<String> header = rows.get(0);
        assertEquals(15 + Log10Bins.COUNT, header.size());
        assertEquals("log10_-8.0_-7.5", header.get(16));
        assertEquals(report.tensors().size() + 2, rows.size(), "header, one row per tensor, overall");
        for (int i = 0; i < report.tensors().size(); i++) {
            TensorStats t = report.tensors().get(i);
            Map<String, String> row = Csv.record(header, rows.get(i + 1));
            assertEquals(t.name(), row.get("tensor"));
            assertEquals(t.shapeText(), row.get("shape"));
            assertCsvStats(t.stats(), row);
        }
        Map<String, String> overall = Csv.record(header, rows.get(rows.size() - 1));
        assertEquals("overall", overall.get("tensor"));
        assertCsvStats(report.overall(), overall);
    }

    private static void assertCsvStats(MagnitudeStats s, Map<String, String> row) {
        assertEquals(s.count(), Long.parseLong(row.get("count")));
        assertEquals(s.zeros(), Long.parseLong(row.get("zeros")));
        assertEquals(s.sparsity(), Double.parseDouble(row.get("sparsity")));
        assertEquals(s.threshold(), Double.parseDouble(row.get("threshold")));
        assertEquals(s.fractionAboveThreshold(), Double.parseDouble(row.get("fraction_above_threshold")));
        assertEquals(s.maxAbs(), Double.parseDouble(row.get("max_abs")));
        assertEquals(s.meanAbs(), Double.parseDouble(row.get("mean_abs")));
        assertEquals(s.stdAbs(), Double.parseDouble(row.get("std_abs")));
        long[] h = s.log10Histogram();
        for (int b = 0; b < h.length; b++) {
            assertEquals(h[b], Long.parseLong(row.get(ReportCsv.binColumn(b))));
        }
    }

    @Test
    void similarityParsesBackFromCsvAndJson() {
        List<List<String>> rows = Csv.parse(ReportFormat.CSV.format(similarity));
        List<String> header = rows.get(0);
        assertEquals(similarity.tensors().size() + 2, rows.size());
        List<ZeroOverlap> expected = new ArrayList<>(similarity.tensors());
        expected.add(similarity.overall());
        for (int i = 0; i < expected.size(); i++) {
            Map<String, String> row = Csv.record(header, rows.get(i + 1));
            ZeroOverlap o = expected.get(i);
            assertEquals(o.name(), row.get("tensor"));
            assertEquals(o.intersection(), Long.parseLong(row.get("intersection")));
            assertEquals(o.union(), Long.parseLong(row.get("union")));
            assertEquals(o.jaccardDistance(), Double.parseDouble(row.get("jaccard_distance")));
        }

        Map<String, Object> root = Json.parseObject(ReportFormat.JSON.format(similarity));
        Map<?, ?> overall = (Map<?, ?>) root.get("overall");
        assertEquals(similarity.overall().jaccardDistance(), overall.get("jaccard_distance"));
        assertEquals(similarity.overall().size(), overall.get("size"));
        List<?> tensors = (List<?>) root.get("tensors");
        assertEquals(similarity.tensors().size(), tensors.size());
        Map<?, ?> first = (Map<?, ?>) tensors.get(0);
        assertEquals(similarity.tensors().get(0).zerosA(), first.get("zeros_a"));
        assertEquals(List.of(), root.get("only_in_b"));
        assertEquals(List.of("lm_head.weight", "rotary, \"ids\""), root.get("only_in_a"));
    }

    @Test
    void tableAlignsColumnsAndListsSkippedTensors() {
        String table = ReportFormat.TABLE.format(report);
        System.out.println(table);
        List<String> lines = table.lines().toList();
        int header = 1;
        int width = lines.get(header).length();
        for (int i = header; i <= header + report.tensors().size() + 3; i++) {
            assertEquals(width, lines.get(i).length(), "line " + i + " is aligned: " + lines.get(i));
        }
        assertTrue(table.contains("model.layers.1.mlp.down_proj.weight"));
        assertTrue(table.contains("skipped: rotary, \"ids\""));
        assertTrue(table.contains("[-2.0,-1.5)"), "the histogram names its bins");

        String sim = ReportFormat.TABLE.format(similarity);
        System.out.println(sim);
        assertTrue(sim.contains("only in A: lm_head.weight"));
        assertTrue(sim.lines().anyMatch(l -> l.startsWith("overall")));
    }

    @Test
    void humanCountsAndFormatNames() {
        assertEquals("9999", Counts.compact(9999));
        assertEquals("16.8M", Counts.compact(16_777_216));
        assertEquals("6.74G", Counts.compact(6_738_415_616L));
        assertEquals("1.00M", Counts.compact(999_999));
        assertEquals(ReportFormat.CSV, ReportFormat.parse("csv"));
        assertEquals(ReportFormat.TABLE, ReportFormat.parse("TABLE"));
        var e = assertThrows(IllegalArgumentException.class, () -> ReportFormat.parse("xml"));
        assertTrue(e.getMessage().contains("'xml'"));
    }

    private static List<Long> toList(long[] values) {
        List<Long> l = new ArrayList<>();
        for (long v : values) {
            l.add(v);
        }
        return l;
    }

    /** A minimal RFC 4180 reader for the tests. */
    static final class Csv {
        static List<List<String>> parse(String text) {
            List<List<String>> rows = new ArrayList<>();
            List<String> row = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        cell.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    row.add(cell.toString());
                    cell.setLength(0);
                } else if (c == '\n') {
                    row.add(cell.toString());
                    cell.setLength(0);
                    rows.add(row);
                    row = new ArrayList<>();
                } else {
                    cell.append(c);
                }
            }
            return rows;
        }

        static Map<String, String> record(List<String> header, List<String> row) {
            assertEquals(header.size(), row.size());
            Map<String, String> m = new java.util.HashMap<>();
            for (int i = 0; i < header.size(); i++) {
                m.put(header.get(i), row.get(i));
            }
            return m;
        }
    }
}
