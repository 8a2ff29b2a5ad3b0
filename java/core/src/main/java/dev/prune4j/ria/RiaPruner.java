package dev.prune4j.ria;

import dev.prune4j.calib.ActivationStats;
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
 * {@link Ria} as a {@link LayerPruner}: activation norms in (the same statistics as Wanda), compared
 * across the whole tensor by default, as the reference code does.
 *
 * <pre>{@code
 * LayerPruner<ActivationStats> ria = new RiaPruner();
 * LayerPruneResult r = ria.prune(engine, weight, stats, PruneSpec.nm(2, 4), arena);
 * }</pre>
 */
public final class RiaPruner implements LayerPruner<ActivationStats> {
    private final Ria.Options options;

    public RiaPruner() {
        this(Ria.Options.DEFAULT);
    }

    public RiaPruner(Ria.Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public Ria.Options options() {
        return options;
    }

    @Override
    public String name() {
        return "ria";
    }

    @Override
    public LayerStatistics<ActivationStats> statistics() {
        return LayerStatistics.ACTIVATION_NORMS;
    }

    @Override
    public Set<Kernel> kernels() {
        return Ria.KERNELS;
    }

    @Override
    public LayerPruneResult prune(Engine engine, Tensor weight, ActivationStats stats, PruneSpec spec, Arena arena) {
        return Ria.prune(engine, weight, stats, spec, options, null, arena);
    }

    @Override
    public String toString() {
        return name();
    }
}
