package dev.prune4j.wanda;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Kernel;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.LayerStatistics;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Set;

/** {@link Wanda} as a {@link LayerPruner}: activation norms in, compared per row by default. */
public final class WandaPruner implements LayerPruner<ActivationStats> {
    @Override
    public String name() {
        return "wanda";
    }

    @Override
    public LayerStatistics<ActivationStats> statistics() {
        return LayerStatistics.ACTIVATION_NORMS;
    }

    @Override
    public Set<Kernel> kernels() {
        return Wanda.KERNELS;
    }

    /** Per output row, as the paper compares. */
    @Override
    public PruneSpec defaultSpec(double ratio) {
        return PruneSpec.perRow(ratio);
    }

    @Override
    public LayerPruneResult prune(Engine engine, Tensor weight, ActivationStats stats, PruneSpec spec, Arena arena) {
        return Wanda.prune(engine, weight, stats, spec, null, arena);
    }

    @Override
    public String toString() {
        return name();
    }
}
