package dev.prune4j.owl;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.CalibrationFile;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.Kernel;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.LayerStatistics;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * OWL around a base method ({@code owl-magnitude}, {@code owl-wanda}, {@code owl-sparsegpt}): the
 * base prunes every layer, each decoder layer to its own sparsity from {@link OwlAllocation}.
 *
 * <p>The sparsities are a model-level decision, so an OWL pruner is used in two steps: first
 * {@link #allocate} (the weights of every decoder layer and their activation statistics, from the
 * dense model) gives a pruner with an {@link OwlPlan}; that pruner then prunes layer by layer like
 * any {@link LayerPruner}, with the base's statistics. {@code CheckpointPruner} does the first step
 * itself (grouping the selected tensors by {@link DecoderLayers}); a model harness calls it:
 *
 * <pre>{@code
 * OwlPruner<ActivationStats> owl = OwlPruner.around(new WandaPruner(), OwlOptions.DEFAULT);
 * OwlPruner<ActivationStats> planned = owl.allocate(engine, weightsByLayer, normsByLayer, PruneSpec.perRow(0.7));
 * LayerPruneResult r = planned.prune(engine, weight, stats, PruneSpec.perRow(0.7), arena); // weight's layer sparsity
 * }</pre>
 *
 * OWL always needs calibration data (its outlier ratios need activation norms), so
 * {@code owl-magnitude}'s statistics say so, though magnitude prunes without them.
 *
 * @param <S> the base method's statistics
 */
public final class OwlPruner<S> implements LayerPruner<S> {
    private final LayerPruner<S> base;
    private final OwlOptions options;
    private final OwlPlan plan;
    private final Set<Kernel> kernels;

    private OwlPruner(LayerPruner<S> base, OwlOptions options, OwlPlan plan) {
        this.base = Objects.requireNonNull(base, "base");
        this.options = Objects.requireNonNull(options, "options");
        this.plan = plan;
        EnumSet<Kernel> k = EnumSet.copyOf(OwlAllocation.KERNELS);
        k.addAll(base.kernels());
        this.kernels = Set.copyOf(k);
    }

    /** OWL around {@code base}, not yet allocated. */
    public static <S> OwlPruner<S> around(LayerPruner<S> base, OwlOptions options) {
        return new OwlPruner<>(base, options, null);
    }

    public LayerPruner<S> base() {
        return base;
    }

    public OwlOptions options() {
        return options;
    }

    /** Whether {@link #allocate} (or {@link #withPlan}) gave this pruner its layer sparsities. */
    public boolean allocated() {
        return plan != null;
    }

    /** The plan; {@code null} before allocation. */
    public OwlPlan plan() {
        return plan;
    }

    /**
     * This method with the layer sparsities for the model-wide {@code spec}, from the weights of
     * each decoder layer's linear layers and their activation statistics (the same nesting and
     * order; statistics of the dense model, as the reference computes them). Tensors that are
     * later pruned but are not among {@code weightsByLayer} get {@code spec} itself.
     */
    public OwlPruner<S> allocate(Engine engine, List<List<Tensor>> weightsByLayer,
                                 List<List<ActivationStats>> statsByLayer, PruneSpec spec) {
        double[] d = OwlAllocation.outlierRatios(engine, weightsByLayer, statsByLayer, options);
        List<PruneSpec> specs = OwlAllocation.layerSpecs(d, OwlAllocation.weightCounts(weightsByLayer), spec, options);
        List<String> layers = new ArrayList<>();
        List<List<String>> names = new ArrayList<>();
        for (List<Tensor> layer : weightsByLayer) {
            List<String> n = layer.stream().map(Tensor::name).toList();
            names.add(n);
            layers.add(n.isEmpty() ? "layer " + layers.size()
                    : DecoderLayers.layerOf(n.getFirst()).orElse("layer " + layers.size()));
        }
        return withPlan(new OwlPlan(spec, layers, names, d, specs));
    }

    /** This method with {@code plan}'s layer sparsities. */
    public OwlPruner<S> withPlan(OwlPlan plan) {
        return new OwlPruner<>(base, options, Objects.requireNonNull(plan, "plan"));
    }

    @Override
    public String name() {
        return "owl-" + base.name();
    }

    @Override
    public LayerStatistics<S> statistics() {
        LayerStatistics<S> b = base.statistics();
        if (b.needsCalibration()) {
            return b;
        }
        return new LayerStatistics<>() {
            @Override
            public String description() {
                return "activation norms (for OWL's layer sparsities)";
            }

            @Override
            public boolean needsCalibration() {
                return true;
            }

            @Override
            public S read(CalibrationFile file, Engine engine, Arena arena, String weightName, long in) {
                return b.read(file, engine, arena, weightName, in);
            }

            @Override
            public S create(Arena arena, String layerName, int in) {
                return b.create(arena, layerName, in);
            }

            @Override
            public Set<Kernel> kernels() {
                return b.kernels();
            }

            @Override
            public S create(EngineArena work, String layerName, int in) {
                return b.create(work, layerName, in);
            }

            @Override
            public S copyToHost(EngineArena work, S stats, Arena arena) {
                return b.copyToHost(work, stats, arena);
            }

            @Override
            public void add(Engine engine, S stats, Tensor x) {
                b.add(engine, stats, x);
            }
        };
    }

    @Override
    public Set<Kernel> kernels() {
        return kernels;
    }

    @Override
    public PruneSpec defaultSpec(double ratio) {
        return base.defaultSpec(ratio);
    }

    /**
     * Prunes {@code weight} with the base method to its layer's spec.
     *
     * @throws IllegalStateException before allocation
     * @throws IllegalArgumentException when {@code spec} is not the one the plan was made for
     */
    @Override
    public LayerPruneResult prune(Engine engine, Tensor weight, S stats, PruneSpec spec, Arena arena) {
        if (plan == null) {
            throw new IllegalStateException(name() + ": weight '" + weight.name() + "': the layer sparsities are not"
                    + " allocated yet (OwlPruner.allocate with every decoder layer's weights and activation norms)");
        }
        return base.prune(engine, weight, stats, plan.specFor(weight.name(), spec), arena);
    }

    @Override
    public HessianAccumulator hessianOf(S stats) {
        return base.hessianOf(stats);
    }

    @Override
    public String toString() {
        return name();
    }
}
