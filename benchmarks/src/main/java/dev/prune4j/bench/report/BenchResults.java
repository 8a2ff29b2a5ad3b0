package dev.prune4j.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything one report shows, gathered from any number of result files: layer timings (JMH's and
 * the paired GEMM cases), other benchmarks, the machines the runs were made on, and the files read.
 */
public final class BenchResults {
    private final List<LinearResult> linear = new ArrayList<>();
    private final List<OtherResult> other = new ArrayList<>();
    private final List<GemmResult> gemm = new ArrayList<>();
    private final List<Map<String, Object>> machines = new ArrayList<>();
    private final List<String> sources = new ArrayList<>();

    public List<LinearResult> linear() {
        return linear;
    }

    public List<OtherResult> other() {
        return other;
    }

    /** Paired dense vs 2:4 cases ({@value GemmResult#FORMAT} JSON lines), in reading order. */
    public List<GemmResult> gemm() {
        return gemm;
    }

    /** One entry per run (prune4j's {@code machine.json}, the PyTorch script's {@code machine} object). */
    public List<Map<String, Object>> machines() {
        return machines;
    }

    /** "file: what it held", one per file read. */
    public List<String> sources() {
        return sources;
    }

    public boolean isEmpty() {
        return linear.isEmpty() && other.isEmpty() && gemm.isEmpty();
    }
}
