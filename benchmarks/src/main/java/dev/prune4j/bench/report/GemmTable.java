package dev.prune4j.bench.report;

import dev.prune4j.bench.report.LinearResult.Impl;
import dev.prune4j.bench.report.LinearResult.RowKey;
import dev.prune4j.bench.shapes.BenchShapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's headline tables from the paired GEMM cases ({@link GemmResult}): per device and
 * dtype, one line per projection and token count with the dense and 2:4 times (device kernel times
 * on the GPU, call times on the CPU), the speedup, the byte limit of the same run, the wall times
 * beside the kernel times, and on the GPU PyTorch's best backend measured in the same run. Also the
 * one-line-per-case text that the GPU script appends to its summary.
 */
public final class GemmTable {
    /** A 2:4 speedup this far above the byte limit at decode sizes says the weight was cached. */
    private static final double ABOVE_LIMIT = 1.05;
    private static final int DECODE_TOKENS = 16;
    /** A dense call within this factor of its byte limit counts as bound by memory. */
    private static final double MEMORY_BOUND = 2.0;

    private GemmTable() {}

    /** The latest case per row (a later file's case replaces an earlier one's); failed cases apart. */
    static Map<RowKey, GemmResult> rows(List<GemmResult> results) {
        Map<RowKey, GemmResult> rows = new LinkedHashMap<>();
        for (GemmResult r : results) {
            if (r.error() == null) {
                rows.put(r.row(), r);
            }
        }
        return rows;
    }

    /** PyTorch's fastest implementation at a row (dense or either 2:4 backend), or null. */
    static LinearResult torchBest(List<LinearResult> linear, RowKey key) {
        LinearResult best = null;
        for (LinearResult r : linear) {
            boolean torch = r.impl() == Impl.TORCH_DENSE || r.impl() == Impl.TORCH_CUTLASS
                    || r.impl() == Impl.TORCH_CUSPARSELT;
            if (torch && r.row().equals(key) && r.ms() > 0 && (best == null || r.ms() < best.ms())) {
                best = r;
            }
        }
        return best;
    }

    /** The summary lines and tables, Markdown. */
    static void render(StringBuilder sb, BenchResults results) {
        Map<RowKey, GemmResult> rows = rows(results.gemm());
        List<String> devices = new ArrayList<>();
        rows.keySet().forEach(k -> {
            if (!devices.contains(k.device())) {
                devices.add(k.device());
            }
        });
        devices.sort(Comparator.comparingInt(d -> d.equals("cpu") ? 1 : 0)); // the GPU first: it is the headline
        sb.append("## Dense vs 2:4, paired and cache-honest\n\n");
        sb.append("Each case ran dense and 2:4 alternately in one loop, on rotating copies of W, X and Y that together "
                + "exceed twice the last-level cache (the GPU also flushed its L2 before every call), after at least a "
                + "second of warm-up; times are medians. On the GPU the headline is the device kernel time (CUDA events "
                + "around each call); the wall columns are Java calls with a stream synchronisation, for reference. On "
                + "the CPU the call time is the kernel time. The byte limit is the bytes one call must move (W once, X, "
                + "Y) at the read bandwidth measured in the same run (on the CPU the fastest of the run's read and the "
                + "same read just before and just after the case, as a shared machine's memory speed drifts): no kernel beats it, and a "
                + "decode speedup above "
                + "its ratio while the dense call ran within twice its limit (marked †) means the weight came from a "
                + "cache. On the GPU PyTorch's columns are its fastest of dense, "
                + "CUTLASS 2:4 and cuSPARSELt 2:4, CUDA events around each call, measured in the same run. On the CPU "
                + "\"% of bandwidth\" is the byte limit over the call's time (the share of the measured read bandwidth "
                + "the call reached; 2:4 on its own, smaller, bytes), and PyTorch's column is its dense `F.linear` "
                + "(CPU PyTorch has no 2:4 kernel) timed the same way by benchmarks/python/torch_linear_bench.py "
                + "--device cpu in the same session; \"vs PyTorch\" is PyTorch's time over prune4j's (above 1: prune4j "
                + "is faster).\n\n");
        summary(sb, rows, results.linear(), devices);
        for (String device : devices) {
            for (String dtype : List.of("F16", "BF16")) {
                List<GemmResult> group = rows.values().stream()
                        .filter(r -> r.device().equals(device) && r.dtype().equals(dtype)).toList();
                if (group.isEmpty()) {
                    continue;
                }
                sb.append("### ").append(MarkdownReport.deviceTitle(device)).append(", ").append(dtype).append("\n\n");
                table(sb, group, results.linear(), device.equals("cuda"));
                sb.append('\n');
            }
        }
        List<GemmResult> failed = results.gemm().stream().filter(r -> r.error() != null).toList();
        if (!failed.isEmpty()) {
            sb.append("Cases that failed:\n\n");
            for (GemmResult r : failed) {
                sb.append("- ").append(r.device()).append(' ').append(r.dtype()).append(' ').append(r.shape()).append(", ")
                        .append(r.tokens()).append(" tokens: ").append(r.error()).append('\n');
            }
            sb.append('\n');
        }
    }

    private static void summary(StringBuilder sb, Map<RowKey, GemmResult> rows, List<LinearResult> linear,
                                List<String> devices) {
        sb.append("| Device | Dtype | Cases | Median speedup | Range | Faster than dense | Ahead of PyTorch's best |"
                + " Above the byte limit † |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (String device : devices) {
            for (String dtype : List.of("F16", "BF16")) {
                List<GemmResult> g = rows.values().stream()
                        .filter(r -> r.device().equals(device) && r.dtype().equals(dtype) && !Double.isNaN(r.speedup()))
                        .toList();
                if (g.isEmpty()) {
                    continue;
                }
                double[] s = g.stream().mapToDouble(GemmResult::speedup).sorted().toArray();
                long faster = Arrays.stream(s).filter(v -> v > 1).count();
                long withTorch = g.stream().filter(r -> torchBest(linear, r.row()) != null).count();
                long ahead = g.stream().filter(r -> {
                    LinearResult t = torchBest(linear, r.row());
                    return t != null && t.ms() > r.sparseMs();
                }).count();
                long above = g.stream().filter(GemmTable::aboveLimit).count();
                sb.append("| ").append(device).append(" | ").append(dtype).append(" | ").append(s.length).append(" | ")
                        .append(MarkdownReport.speedup(Stats.median(s))).append(" | ")
                        .append(MarkdownReport.speedup(s[0])).append(" – ").append(MarkdownReport.speedup(s[s.length - 1]))
                        .append(" | ").append(faster).append(" of ").append(s.length).append(" | ")
                        .append(withTorch == 0 ? "-" : ahead + " of " + withTorch).append(" | ").append(above).append(" |\n");
            }
        }
        sb.append('\n');
    }

    /**
     * A decode-size speedup above the byte limit's ratio while the dense call ran within twice its
     * byte limit (so it was bound by memory, and 2:4 can only win by moving fewer bytes): the weight
     * must have come from a cache. A compute-bound dense call (the CPU's, often) can lose by more
     * than the byte ratio to a 2:4 kernel that does half the multiplications, so it is not marked.
     */
    static boolean aboveLimit(GemmResult r) {
        return r.tokens() <= DECODE_TOKENS && r.speedup() > r.limitSpeedup() * ABOVE_LIMIT
                && r.denseMs() < MEMORY_BOUND * r.limitDenseMs();
    }

    private static void table(StringBuilder sb, List<GemmResult> group, List<LinearResult> linear, boolean gpu) {
        List<String> head = new ArrayList<>(List.of("Model", "Layer", "Shape (out x in)", "Tokens"));
        if (gpu) {
            head.addAll(List.of("Dense kernel ms", "2:4 kernel ms", "2:4 backend", "Kernel speedup"));
        } else {
            head.addAll(List.of("Dense ms", "2:4 ms", "Speedup"));
        }
        head.addAll(List.of("Byte limit ms (dense / 2:4)", "Limit speedup"));
        if (gpu) {
            head.addAll(List.of("Dense wall ms", "2:4 wall ms", "Wall speedup", "PyTorch best ms", "2:4 vs PyTorch best"));
        }
        // The CPU: how close each call came to its byte limit, and PyTorch's dense F.linear beside it.
        boolean cpuTorch = !gpu && group.stream().anyMatch(r -> torchBest(linear, r.row()) != null);
        if (!gpu) {
            head.addAll(List.of("Dense % of bandwidth", "2:4 % of bandwidth"));
        }
        if (cpuTorch) {
            head.addAll(List.of("PyTorch dense ms", "Dense vs PyTorch", "2:4 vs PyTorch"));
        }
        sb.append("| ").append(String.join(" | ", head)).append(" |\n|");
        for (int i = 0; i < head.size(); i++) {
            sb.append(i < 3 || (gpu && i == 6) ? " --- |" : " ---: |");
        }
        sb.append('\n');
        for (Line line : lines(group)) {
            GemmResult r = line.result();
            String[] dims = r.shape().split("x");
            List<String> cells = new ArrayList<>(List.of(line.model(), line.layer(),
                    dims.length == 2 ? dims[0] + " x " + dims[1] : r.shape(), Integer.toString(r.tokens())));
            cells.add(MarkdownReport.number(r.denseMs()));
            cells.add(MarkdownReport.number(r.sparseMs()));
            if (gpu) {
                cells.add(r.sparseBackend());
            }
            cells.add("**" + MarkdownReport.speedup(r.speedup()) + "**" + (aboveLimit(r) ? " †" : ""));
            cells.add(MarkdownReport.number(r.limitDenseMs()) + " / " + MarkdownReport.number(r.limitSparseMs()));
            cells.add(MarkdownReport.speedup(r.limitSpeedup()));
            if (gpu) {
                cells.add(MarkdownReport.number(r.denseWallMs()));
                cells.add(MarkdownReport.number(r.sparseWallMs()));
                cells.add(MarkdownReport.speedup(r.wallSpeedup()));
                LinearResult t = torchBest(linear, r.row());
                cells.add(t == null ? "-" : MarkdownReport.number(t.ms()) + " (" + t.impl().label().replace("torch ", "")
                        + ")");
                cells.add(t == null ? "-" : MarkdownReport.speedup(t.ms() / r.sparseMs()));
            }
            if (!gpu) {
                cells.add(percent(r.limitDenseMs() / r.denseMs()));
                cells.add(percent(r.limitSparseMs() / r.sparseMs()));
            }
            if (cpuTorch) {
                LinearResult t = torchBest(linear, r.row());
                cells.add(t == null ? "-" : MarkdownReport.number(t.ms()));
                cells.add(t == null ? "-" : MarkdownReport.speedup(t.ms() / r.denseMs()));
                cells.add(t == null ? "-" : MarkdownReport.speedup(t.ms() / r.sparseMs()));
            }
            sb.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
    }

    /** A fraction of the byte limit's bandwidth as a whole percentage; "-" when unknown. */
    static String percent(double fraction) {
        return Double.isNaN(fraction) || Double.isInfinite(fraction) ? "-"
                : String.format(Locale.ROOT, "%.0f %%", 100 * fraction);
    }

    /** A table line: a case under the model and projection it stands for. */
    record Line(String model, String layer, GemmResult result) {}

    /** Table order: models and projections as in ARCHITECTURE.md, tokens ascending; other shapes last. */
    static List<Line> lines(List<GemmResult> group) {
        List<Line> out = new ArrayList<>();
        List<GemmResult> sorted = group.stream().sorted(Comparator.comparingInt(GemmResult::tokens)).toList();
        for (BenchShapes.Projection p : BenchShapes.PROJECTIONS) {
            for (GemmResult r : sorted) {
                if (r.shape().equals(p.shape())) {
                    out.add(new Line(p.model(), p.layer(), r));
                }
            }
        }
        for (GemmResult r : sorted) {
            if (BenchShapes.modelOf(r.shape()).isEmpty()) {
                out.add(new Line(SpeedupRows.OTHER_SHAPES, "-", r));
            }
        }
        return out;
    }

    /** Whether a plot of {@code layer} on {@code device} has a paired point (no AWT needed to ask). */
    static boolean hasSpeedup(List<GemmResult> results, String device, String layer) {
        List<GemmResult> onDevice = rows(results).values().stream().filter(r -> r.device().equals(device)).toList();
        return lines(onDevice).stream().anyMatch(l -> l.layer().equals(layer) && !Double.isNaN(l.result().speedup()));
    }

    /** One line per case for a plain-text summary (the GPU script appends these to summary.txt). */
    public static List<String> brief(BenchResults results) {
        List<String> out = new ArrayList<>();
        for (GemmResult r : rows(results.gemm()).values()) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-4s %-4s %-11s %5d tok: dense %s ms, 2:4 %s ms",
                    r.device(), r.dtype(), r.shape(), r.tokens(), MarkdownReport.number(r.denseMs()),
                    MarkdownReport.number(r.sparseMs())));
            if (r.hasKernelTimes()) {
                b.append(" (").append(r.sparseBackend()).append("), kernel ");
            } else {
                b.append(", ");
            }
            b.append(MarkdownReport.speedup(r.speedup())).append(aboveLimit(r) ? " ABOVE LIMIT" : "")
                    .append(" (limit ").append(MarkdownReport.speedup(r.limitSpeedup())).append(")");
            if (r.hasKernelTimes()) {
                b.append(", wall ").append(MarkdownReport.speedup(r.wallSpeedup()));
            }
            LinearResult t = torchBest(results.linear(), r.row());
            if (t != null) {
                b.append(", torch best ").append(MarkdownReport.number(t.ms())).append(" ms ").append(t.impl().label()
                        .replace("torch ", "")).append(" (2:4 ").append(MarkdownReport.speedup(t.ms() / r.sparseMs()))
                        .append(")");
            }
            out.add(b.toString());
        }
        for (GemmResult r : results.gemm()) {
            if (r.error() != null) {
                out.add(r.device() + " " + r.dtype() + " " + r.shape() + " " + r.tokens() + " tok: FAILED " + r.error());
            }
        }
        return out;
    }

    /** Medians of already-sorted values, kept here so the report package needs no timing package. */
    static final class Stats {
        private Stats() {}

        static double median(double[] sorted) {
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }
    }
}
