package dev.prune4j.prune;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Kernel;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.EnumSet;
import java.util.Set;

/** Magnitude pruning as a {@link LayerPruner}: per row, per tensor or N:M, no statistics. */
public final class MagnitudePruner implements LayerPruner<Void> {
    /** The kernels magnitude selection calls. */
    public static final Set<Kernel> KERNELS = EnumSet.of(Kernel.MAGNITUDE_HISTOGRAM, Kernel.PRUNE_BELOW,
            Kernel.PRUNE_SMALLEST_PER_ROW, Kernel.PRUNE_NM, Kernel.APPLY_MASK);

    @Override
    public String name() {
        return "magnitude";
    }

    @Override
    public LayerStatistics<Void> statistics() {
        return LayerStatistics.NONE;
    }

    @Override
    public Set<Kernel> kernels() {
        return KERNELS;
    }

    @Override
    public LayerPruneResult prune(Engine engine, Tensor weight, Void stats, PruneSpec spec, Arena arena) {
        if (spec instanceof PruneSpec.Global) {
            throw new IllegalArgumentException("weight '" + weight.name() + "': a global magnitude threshold spans"
                    + " layers; use Magnitude.pruneGlobal (or CheckpointPruner) for the whole selection");
        }
        Mask mask = Magnitude.prune(engine, weight, spec);
        Tensor out = Tensor.allocate(arena, weight.name(), weight.dtype(), weight.shape());
        MagnitudeSelection.applyMask(engine, weight, mask, out);
        return new LayerPruneResult(out, mask, Double.NaN, Double.NaN);
    }

    @Override
    public String toString() {
        return name();
    }
}
