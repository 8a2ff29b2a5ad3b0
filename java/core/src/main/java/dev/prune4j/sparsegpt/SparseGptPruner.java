package dev.prune4j.sparsegpt;

import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Kernel;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.LayerStatistics;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Objects;
import java.util.Set;

/**
 * {@link SparseGpt} as a {@link LayerPruner}: the layer Hessian in, optimal-brain-surgeon weight
 * updates out; exact per tensor by default. Its Hessian also measures the reconstruction error.
 */
public final class SparseGptPruner implements LayerPruner<HessianAccumulator> {
    private final SparseGpt.Options options;

    public SparseGptPruner() {
        this(SparseGpt.Options.DEFAULT);
    }

    /** With {@code options} (block size, damping); the error is measured by the caller, not here. */
    public SparseGptPruner(SparseGpt.Options options) {
        this.options = Objects.requireNonNull(options, "options").withComputeError(false);
    }

    public SparseGpt.Options options() {
        return options;
    }

    @Override
    public String name() {
        return "sparsegpt";
    }

    @Override
    public LayerStatistics<HessianAccumulator> statistics() {
        return LayerStatistics.HESSIAN;
    }

    @Override
    public Set<Kernel> kernels() {
        return SparseGpt.KERNELS;
    }

    @Override
    public LayerPruneResult prune(Engine engine, Tensor weight, HessianAccumulator hessian, PruneSpec spec,
                                  Arena arena) {
        return SparseGpt.prune(engine, weight, hessian, spec, options, arena);
    }

    @Override
    public HessianAccumulator hessianOf(HessianAccumulator stats) {
        return stats;
    }

    @Override
    public String toString() {
        return name();
    }
}
