package dev.prune4j.bench.report;

import dev.prune4j.bench.shapes.BenchShapes;
import dev.prune4j.bench.report.LinearResult.Impl;
import dev.prune4j.bench.report.LinearResult.RowKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Layer results lined up as report rows: per device, dtype, shape and token count, the time of each
 * implementation. A later result for the same row and implementation replaces an earlier one (the
 * inputs are read in the order given).
 */
public final class SpeedupRows {
    /** The devices in report order. */
    static final List<String> DEVICES = List.of("cpu", "cuda");

    /** A report row and the implementations measured there. */
    public record Row(RowKey key, Map<Impl, LinearResult> byImpl) {
        public LinearResult get(Impl impl) {
            return byImpl.get(impl);
        }

        /** {@code baseline time / impl time}, or NaN when either is missing. */
        public double speedup(Impl impl) {
            LinearResult a = byImpl.get(impl.baseline());
            LinearResult b = byImpl.get(impl);
            return a == null || b == null || !(b.ms() > 0) ? Double.NaN : a.ms() / b.ms();
        }

        /** The same from device kernel times, or NaN. */
        public double kernelSpeedup() {
            LinearResult a = byImpl.get(Impl.PRUNE4J_DENSE);
            LinearResult b = byImpl.get(Impl.PRUNE4J_SPARSE24);
            return a == null || b == null || !(b.kernelMs() > 0) ? Double.NaN : a.kernelMs() / b.kernelMs();
        }
    }

    private final Map<RowKey, Row> rows = new LinkedHashMap<>();

    public SpeedupRows(List<LinearResult> results) {
        for (LinearResult r : results) {
            rows.computeIfAbsent(r.row(), k -> new Row(k, new EnumMap<>(Impl.class))).byImpl().put(r.impl(), r);
        }
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Devices that have rows, {@code cpu} then {@code cuda} then any other. */
    public List<String> devices() {
        return ordered(rows.keySet().stream().map(RowKey::device).toList(), DEVICES);
    }

    /** Dtypes of {@code device}'s rows, F16 then BF16 then any other. */
    public List<String> dtypes(String device) {
        return ordered(rows.keySet().stream().filter(k -> k.device().equals(device)).map(RowKey::dtype).toList(),
                BenchShapes.DTYPES);
    }

    /** Models with rows on {@code device} in {@code dtype}, in table order; shapes outside the table last. */
    public List<String> models(String device, String dtype) {
        List<String> known = BenchShapes.models();
        List<String> present = rows.keySet().stream().filter(k -> k.device().equals(device) && k.dtype().equals(dtype))
                .map(k -> BenchShapes.modelOf(k.shape()).orElse(OTHER_SHAPES)).toList();
        List<String> withOther = new ArrayList<>(known);
        withOther.add(OTHER_SHAPES);
        return ordered(present, withOther);
    }

    /** Name of the model group of shapes not in the ARCHITECTURE.md table. */
    public static final String OTHER_SHAPES = "Other shapes";

    /**
     * The table lines of one model: one per projection (a shape shared by two projections, such as
     * 7B's q/o and k/v, gives a line for each) and token count, in table order.
     */
    public List<Line> lines(String device, String dtype, String model) {
        List<Line> out = new ArrayList<>();
        List<Row> selected = rows.values().stream()
                .filter(r -> r.key().device().equals(device) && r.key().dtype().equals(dtype))
                .sorted(Comparator.comparingInt(r -> r.key().tokens()))
                .toList();
        if (model.equals(OTHER_SHAPES)) {
            for (Row r : selected) {
                if (BenchShapes.modelOf(r.key().shape()).isEmpty()) {
                    out.add(new Line(model, "-", r));
                }
            }
            return out;
        }
        for (BenchShapes.Projection p : BenchShapes.PROJECTIONS) {
            if (!p.model().equals(model)) {
                continue;
            }
            for (Row r : selected) {
                if (r.key().shape().equals(p.shape())) {
                    out.add(new Line(model, p.layer(), r));
                }
            }
        }
        return out;
    }

    /** One line of a table: a row under a model and projection name. */
    public record Line(String model, String layer, Row row) {}

    /**
     * Whether a plot of {@code layer} on {@code device} has a point: some line of that projection
     * with a 2:4 speedup. Free of AWT, so a runtime without {@code java.desktop} can ask.
     */
    public boolean hasSpeedup(String device, String layer) {
        for (String dtype : dtypes(device)) {
            for (String model : models(device, dtype)) {
                for (Line line : lines(device, dtype, model)) {
                    if (line.layer().equals(layer)) {
                        for (LinearResult.Impl impl : LinearResult.Impl.values()) {
                            if (impl.sparse() && !Double.isNaN(line.row().speedup(impl))) {
                                return true;
                            }
                        }
                    }
                }
            }
        }
        return false;
    }

    /** The plot file of {@code layer} on {@code device}: {@code speedup-cpu-q-o.png}. */
    public static String plotFileName(String device, String layer) {
        return "speedup-" + device + "-" + layer.replaceAll("[^A-Za-z0-9]+", "-") + ".png";
    }

    /** Every row of {@code device}. */
    public List<Row> rows(String device) {
        return rows.values().stream().filter(r -> r.key().device().equals(device)).toList();
    }

    private static List<String> ordered(List<String> present, List<String> order) {
        Set<String> seen = new LinkedHashSet<>();
        for (String o : order) {
            if (present.contains(o)) {
                seen.add(o);
            }
        }
        present.stream().sorted().forEach(seen::add);
        return List.copyOf(seen);
    }
}
