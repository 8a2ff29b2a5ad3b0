package dev.prune4j.analysis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reports as JSON trees ({@code Map} / {@code List}) for {@link dev.prune4j.internal.json.Json}. */
final class ReportJson {
    private ReportJson() {}

    static Map<String, Object> toJson(SparsityReport r) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("threshold", r.threshold());
        root.put("histogram_bins", bins());
        root.put("overall", stats(r.overall()));
        List<Object> tensors = new ArrayList<>();
        for (TensorStats t : r.tensors()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("dtype", t.dtype().name());
            m.put("shape", longs(t.shape()));
            m.putAll(stats(t.stats()));
            tensors.add(m);
        }
        root.put("tensors", tensors);
        root.put("skipped", skipped(r.skipped()));
        return root;
    }

    static Map<String, Object> toJson(MaskSimilarity s) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("definition", "jaccard_distance = 1 - |Za & Zb| / |Za | Zb| over the zero positions Za, Zb;"
                + " 0 when neither has a zero; overall counts over all compared positions");
        root.put("overall", overlap(s.overall()));
        List<Object> tensors = new ArrayList<>();
        for (ZeroOverlap o : s.tensors()) {
            tensors.add(overlap(o));
        }
        root.put("tensors", tensors);
        root.put("only_in_a", s.onlyInA());
        root.put("only_in_b", s.onlyInB());
        root.put("skipped", skipped(s.skipped()));
        return root;
    }

    private static Map<String, Object> bins() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("description", Log10Bins.description());
        List<Object> labels = new ArrayList<>();
        List<Object> lower = new ArrayList<>();
        List<Object> upper = new ArrayList<>();
        for (int b = 0; b < Log10Bins.COUNT; b++) {
            labels.add(Log10Bins.label(b));
            lower.add(Log10Bins.lowerEdge(b));
            upper.add(Log10Bins.upperEdge(b)); // infinity is written as null
        }
        m.put("labels", labels);
        m.put("lower_edge_abs", lower);
        m.put("upper_edge_abs", upper);
        return m;
    }

    private static Map<String, Object> stats(MagnitudeStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", s.count());
        m.put("zeros", s.zeros());
        m.put("sparsity", s.sparsity());
        m.put("non_finite", s.nonFinite());
        m.put("above_threshold", s.aboveThreshold());
        m.put("fraction_above_threshold", s.fractionAboveThreshold());
        m.put("min_abs", s.minAbs());
        m.put("min_nonzero_abs", s.minNonZeroAbs());
        m.put("max_abs", s.maxAbs());
        m.put("mean_abs", s.meanAbs());
        m.put("std_abs", s.stdAbs());
        m.put("log10_histogram", longs(s.log10Histogram()));
        return m;
    }

    private static Map<String, Object> overlap(ZeroOverlap o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", o.name());
        if (!o.name().equals(MaskSimilarity.OVERALL)) {
            m.put("shape", longs(o.shape()));
        }
        m.put("size", o.size());
        m.put("zeros_a", o.zerosA());
        m.put("zeros_b", o.zerosB());
        m.put("intersection", o.intersection());
        m.put("union", o.union());
        m.put("jaccard_distance", o.jaccardDistance());
        return m;
    }

    private static List<Object> skipped(List<SkippedTensor> skipped) {
        List<Object> list = new ArrayList<>();
        for (SkippedTensor s : skipped) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("dtype", s.dtype().name());
            m.put("reason", s.reason());
            list.add(m);
        }
        return list;
    }

    private static List<Object> longs(long[] values) {
        List<Object> list = new ArrayList<>(values.length);
        for (long v : values) {
            list.add(v);
        }
        return list;
    }
}
