package dev.prune4j.analysis;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The magnitude and sparsity statistics of a checkpoint: one {@link TensorStats} per F32 / F16 / BF16
 * tensor, in the order given, their {@link #overall() combination}, and the tensors skipped for
 * their dtype.
 *
 * <pre>{@code
 * SparsityReport r = SparsityReport.analyze(names, checkpoint::tensor, 0.2, engine);
 * ReportFormat.TABLE.write(r, System.out);
 * }</pre>
 *
 * @param threshold the t of "fraction with |w| > t"
 * @param tensors   statistics per analysed tensor, in input order
 * @param skipped   tensors left out, in input order
 * @param overall   statistics of all analysed weights together (not a mean of per-tensor values)
 */
public record SparsityReport(double threshold, List<TensorStats> tensors, List<SkippedTensor> skipped,
                             MagnitudeStats overall) {
    public SparsityReport {
        tensors = List.copyOf(tensors);
        skipped = List.copyOf(skipped);
        Objects.requireNonNull(overall, "overall");
    }

    /** Analyses {@code tensors} on the common fork-join pool. */
    public static SparsityReport analyze(List<Tensor> tensors, double threshold) {
        List<String> names = tensors.stream().map(Tensor::name).toList();
        Map<String, Tensor> byName = new HashMap<>();
        for (Tensor t : tensors) {
            byName.put(t.name(), t);
        }
        return analyze(names, byName::get, threshold, null);
    }

    /**
     * Analyses the tensors called {@code names}, fetched one at a time from {@code source} (so a
     * checkpoint larger than memory streams through), on the threads of {@code engine}
     * ({@code null}: the common fork-join pool).
     *
     * @throws IllegalArgumentException for a repeated name, a name {@code source} does not know, or a
     *                                  negative or NaN threshold
     */
    public static SparsityReport analyze(List<String> names, Function<String, Tensor> source, double threshold,
                                         CpuEngine engine) {
        TensorStats.checkThreshold(threshold);
        Parallel runner = TaskSplit.parallel(engine);
        List<TensorStats> stats = new ArrayList<>();
        List<SkippedTensor> skipped = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        MagnitudeStats overall = MagnitudeStats.empty(threshold);
        for (String name : names) {
            if (!seen.add(name)) {
                throw new IllegalArgumentException("tensor '" + name + "' is listed twice");
            }
            Tensor t = source.apply(name);
            if (t == null) {
                throw new IllegalArgumentException("no tensor named '" + name + "'");
            }
            if (!t.dtype().prunable()) {
                skipped.add(SkippedTensor.notFloating(name, t.dtype()));
                continue;
            }
            TensorStats s = new TensorStats(name, t.dtype(), t.shape(), MagnitudeScan.scan(t, threshold, runner));
            stats.add(s);
            overall = MagnitudeStats.combine(overall, s.stats());
        }
        return new SparsityReport(threshold, stats, skipped, overall);
    }
}
