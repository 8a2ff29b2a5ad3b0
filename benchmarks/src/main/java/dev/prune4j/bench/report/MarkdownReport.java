package dev.prune4j.bench.report;

import dev.prune4j.bench.report.LinearResult.Impl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.md}: where the runs happened, the paired GEMM tables ({@link GemmTable}) where there
 * are such cases, then per device and dtype one table per model
 * (Model | Layer | Shape (out x in) | Tokens | Dense ms | Sparse ms | Speedup, with kernel times and
 * the PyTorch columns where they were measured), the plots, and the other benchmarks as measured.
 */
public final class MarkdownReport {
    private MarkdownReport() {}

    /**
     * @param results what was read
     * @param plots   file names of the plots written beside the report, in display order
     * @param notes   lines the runner adds under the header (profile, what was left out and why)
     */
    public static String render(BenchResults results, List<String> plots, List<String> notes) {
        StringBuilder sb = new StringBuilder();
        SpeedupRows rows = new SpeedupRows(layerTimings(results));
        sb.append("# prune4j: dense vs 2:4 linear layers\n\n");
        header(sb, results, rows);
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        sb.append('\n');
        if (!results.gemm().isEmpty()) {
            GemmTable.render(sb, results);
        }
        if (!rows.isEmpty()) {
            if (!results.gemm().isEmpty()) {
                sb.append("## JMH and PyTorch layer timings\n\n");
            }
            sb.append("Speedup = dense time / 2:4 time on the same 2:4-pruned weight (above 1: the 2:4 layer is faster). "
                    + "Times are the mean of one call `Y = X W^T` in milliseconds, ± the half-width of JMH's 99.9 % "
                    + "confidence interval where there were enough iterations to compute one.\n\n");
            summary(sb, rows);
        }
        for (String device : rows.devices()) {
            for (String dtype : rows.dtypes(device)) {
                sb.append("## ").append(deviceTitle(device)).append(", ").append(dtype).append("\n\n");
                List<SpeedupRows.Row> group = rows.rows(device).stream().filter(r -> r.key().dtype().equals(dtype))
                        .toList();
                boolean kernel = group.stream().anyMatch(r -> !Double.isNaN(r.kernelSpeedup()));
                boolean torch = group.stream().anyMatch(r -> r.get(Impl.TORCH_DENSE) != null
                        || r.get(Impl.TORCH_CUTLASS) != null || r.get(Impl.TORCH_CUSPARSELT) != null);
                boolean prune4j = group.stream().anyMatch(r -> r.get(Impl.PRUNE4J_DENSE) != null
                        || r.get(Impl.PRUNE4J_SPARSE24) != null);
                if (torch && device.equals("cpu")) {
                    sb.append("PyTorch columns are medians of F.linear wall times on the CPU, rotating weight copies beyond "
                            + "the last-level cache (benchmarks/python/torch_linear_bench.py --device cpu).\n\n");
                } else if (torch) {
                    sb.append("PyTorch columns are CUDA-event times (device time between events recorded around each "
                            + "call, benchmarks/python/torch_linear_bench.py); prune4j's are wall times per call with a "
                            + "stream synchronisation, its kernel columns CUDA-event times of the kernels alone.\n\n");
                }
                for (String model : rows.models(device, dtype)) {
                    sb.append("### ").append(model).append("\n\n");
                    table(sb, rows.lines(device, dtype, model), prune4j, kernel, torch);
                    sb.append('\n');
                }
            }
        }
        if (!plots.isEmpty()) {
            sb.append("## Speedup vs tokens per projection\n\n");
            for (String p : plots) {
                sb.append("![").append(p).append("](").append(p).append(")\n\n");
            }
        }
        if (!results.other().isEmpty()) {
            sb.append("## Other benchmarks (pruning kernels)\n\n");
            other(sb, results.other());
        }
        sb.append("## Sources\n\n");
        for (String s : results.sources()) {
            sb.append("- ").append(s).append('\n');
        }
        return sb.toString();
    }

    /**
     * The layer timings of the JMH-era section: all of them, less PyTorch's on a device whose paired
     * table already shows them beside prune4j's and that has no JMH results of prune4j (the CPU
     * report: a second table of PyTorch alone would only repeat the column, and with two PyTorch
     * passes it would show the last where the paired table shows the faster).
     */
    static List<LinearResult> layerTimings(BenchResults results) {
        java.util.Set<String> paired = new java.util.HashSet<>();
        results.gemm().forEach(g -> paired.add(g.device()));
        java.util.Set<String> jmh = new java.util.HashSet<>();
        results.linear().stream().filter(r -> r.impl().baseline() == Impl.PRUNE4J_DENSE).forEach(r -> jmh.add(r.device()));
        return results.linear().stream().filter(r -> r.impl().baseline() == Impl.PRUNE4J_DENSE
                || !r.device().equals("cpu") || !paired.contains(r.device()) || jmh.contains(r.device())).toList();
    }

    private static void header(StringBuilder sb, BenchResults results, SpeedupRows rows) {
        if (results.machines().isEmpty()) {
            sb.append("- Machine: not recorded (no machine.json among the inputs)\n");
        }
        for (Map<String, Object> m : results.machines()) {
            // The engine's own description names it ("cpu (pure Java, 2 threads)"); PyTorch's file has none.
            Object engine = m.get("engine_description") != null ? m.get("engine_description")
                    : m.getOrDefault("engine", "unnamed");
            sb.append("- **").append(engine).append("**: ").append(MachineInfo.describe(m)).append('\n');
            if (m.get("load_before") != null || m.get("load_after") != null) {
                sb.append("  - load average (1 / 5 / 15 min) before: ").append(MachineInfo.load(m.get("load_before")))
                        .append(", after: ").append(MachineInfo.load(m.get("load_after"))).append('\n');
            }
            double load = Math.max(firstLoad(m.get("load_before")), firstLoad(m.get("load_after")));
            if (m.get("cores") instanceof Number cores && load > cores.doubleValue()) {
                sb.append("  - **the machine was busy** (1-minute load ").append(String.format(Locale.ROOT, "%.1f", load))
                        .append(" on ").append(cores).append(" cores): other work shared the cores, so these times are "
                                + "noisy and slower than on an idle machine; compare rows of one run, not runs\n");
            }
            if (m.get("profile") != null) {
                sb.append("  - profile: ").append(m.get("profile")).append('\n');
            }
            if (m.get("notes") instanceof List<?> runNotes) {
                for (Object n : runNotes) {
                    sb.append("  - ").append(n).append('\n');
                }
            }
            if (m.get("started") != null) {
                sb.append("  - run: ").append(m.get("started")).append(" to ").append(m.getOrDefault("finished", "?"))
                        .append('\n');
            }
        }
    }

    private static double firstLoad(Object list) {
        return list instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Number n ? n.doubleValue() : 0;
    }

    private static void summary(StringBuilder sb, SpeedupRows rows) {
        List<String[]> lines = new ArrayList<>();
        for (String device : rows.devices()) {
            for (String dtype : rows.dtypes(device)) {
                for (Impl impl : Impl.values()) {
                    if (!impl.sparse()) {
                        continue;
                    }
                    double[] s = rows.rows(device).stream().filter(r -> r.key().dtype().equals(dtype))
                            .mapToDouble(r -> r.speedup(impl)).filter(v -> !Double.isNaN(v)).sorted().toArray();
                    if (s.length > 0) {
                        long wins = Arrays.stream(s).filter(v -> v > 1).count();
                        lines.add(new String[] {device, dtype, impl.label(), Integer.toString(s.length),
                                speedup(median(s)), speedup(s[0]) + " – " + speedup(s[s.length - 1]),
                                wins + " of " + s.length});
                    }
                }
            }
        }
        if (lines.isEmpty()) {
            return;
        }
        sb.append("| Device | Dtype | 2:4 implementation | Rows | Median speedup | Range | Rows faster than dense |\n");
        sb.append("| --- | --- | --- | ---: | ---: | ---: | ---: |\n");
        for (String[] l : lines) {
            sb.append("| ").append(String.join(" | ", l)).append(" |\n");
        }
        sb.append('\n');
    }

    private static void table(StringBuilder sb, List<SpeedupRows.Line> lines, boolean prune4j, boolean kernel,
                              boolean torch) {
        List<String> head = new ArrayList<>(List.of("Model", "Layer", "Shape (out x in)", "Tokens"));
        if (prune4j) {
            head.addAll(List.of("Dense ms", "Sparse ms", "Speedup"));
        }
        if (kernel) {
            head.addAll(List.of("Dense kernel ms", "Sparse kernel ms", "Kernel speedup"));
        }
        if (torch) {
            head.addAll(List.of("Torch dense ms", "Torch CUTLASS 2:4 ms", "Torch cuSPARSELt 2:4 ms",
                    "CUTLASS speedup", "cuSPARSELt speedup"));
        }
        sb.append("| ").append(String.join(" | ", head)).append(" |\n|");
        for (int i = 0; i < head.size(); i++) {
            sb.append(i < 3 ? " --- |" : " ---: |");
        }
        sb.append('\n');
        for (SpeedupRows.Line line : lines) {
            SpeedupRows.Row r = line.row();
            String[] shape = r.key().shape().split("x");
            List<String> cells = new ArrayList<>(List.of(line.model(), line.layer(),
                    shape.length == 2 ? shape[0] + " x " + shape[1] : r.key().shape(), Integer.toString(r.key().tokens())));
            if (prune4j) {
                cells.add(ms(r.get(Impl.PRUNE4J_DENSE)));
                cells.add(ms(r.get(Impl.PRUNE4J_SPARSE24)));
                cells.add(bold(r.speedup(Impl.PRUNE4J_SPARSE24)));
            }
            if (kernel) {
                cells.add(kernelMs(r.get(Impl.PRUNE4J_DENSE)));
                cells.add(kernelMs(r.get(Impl.PRUNE4J_SPARSE24)));
                cells.add(speedup(r.kernelSpeedup()));
            }
            if (torch) {
                cells.add(ms(r.get(Impl.TORCH_DENSE)));
                cells.add(ms(r.get(Impl.TORCH_CUTLASS)));
                cells.add(ms(r.get(Impl.TORCH_CUSPARSELT)));
                cells.add(speedup(r.speedup(Impl.TORCH_CUTLASS)));
                cells.add(speedup(r.speedup(Impl.TORCH_CUSPARSELT)));
            }
            sb.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
    }

    private static void other(StringBuilder sb, List<OtherResult> other) {
        sb.append("| Benchmark | Parameters | Mode | Score | Unit |\n| --- | --- | --- | ---: | --- |\n");
        for (OtherResult o : other) {
            List<String> params = new ArrayList<>();
            o.params().forEach((k, v) -> params.add(k + "=" + v));
            sb.append("| ").append(o.benchmark()).append(" | ").append(String.join(", ", params)).append(" | ")
                    .append(o.mode()).append(" | ").append(withError(o.score(), o.error())).append(" | ")
                    .append(o.unit()).append(" |\n");
        }
        sb.append('\n');
    }

    static String deviceTitle(String device) {
        return switch (device) {
            case "cpu" -> "CPU (prune4j cpu engine: Java Vector API kernels)";
            case "cuda" -> "GPU (prune4j cuda engine; PyTorch beside it where measured)";
            default -> device;
        };
    }

    private static String ms(LinearResult r) {
        return r == null ? "-" : withError(r.ms(), r.msError());
    }

    private static String kernelMs(LinearResult r) {
        return r == null || Double.isNaN(r.kernelMs()) ? "-" : number(r.kernelMs());
    }

    static String withError(double v, double error) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Double.isNaN(error) || error <= 0 ? number(v) : number(v) + " ± " + number(error);
    }

    /** Three significant digits, plain notation. */
    static String number(double v) {
        double a = Math.abs(v);
        String f = a >= 100 ? "%.1f" : a >= 10 ? "%.2f" : a >= 1 ? "%.3f" : a >= 0.01 ? "%.4f" : "%.3g";
        return String.format(Locale.ROOT, f, v);
    }

    static String speedup(double s) {
        return Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%.2fx", s);
    }

    private static String bold(double s) {
        return Double.isNaN(s) ? "-" : "**" + speedup(s) + "**";
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
