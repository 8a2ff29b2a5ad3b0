package dev.prune4j.refine;

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
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A method followed by a mask refinement: {@code base} prunes the layer, then {@code refiner}
 * improves its mask with the layer Hessian. Named {@code BASE+REFINER} ({@code wanda+sparseswaps}).
 * Its statistics are the base's and the Hessian; a base whose statistics carry the Hessian
 * (SparseGPT) shares it, so nothing is read or gathered twice.
 *
 * <pre>{@code
 * LayerPruner<RefinedPruner.Stats<ActivationStats>> p = RefinedPruner.of(new WandaPruner(), new SparseSwaps());
 * var stats = p.statistics().read(calibration, engine, arena, "q_proj.weight", 4096);
 * LayerPruneResult r = p.prune(engine, weight, stats, PruneSpec.perRow(0.5), arena);
 * }</pre>
 *
 * @param <S> the base method's statistics
 */
public final class RefinedPruner<S> implements LayerPruner<RefinedPruner.Stats<S>> {
    /** The base method's statistics and the Hessian the refiner uses (possibly the same object). */
    public record Stats<S>(S base, HessianAccumulator hessian) {
        public Stats {
            Objects.requireNonNull(hessian, "hessian");
        }
    }

    private final LayerPruner<S> base;
    private final MaskRefiner refiner;
    private final Set<Kernel> kernels;

    private RefinedPruner(LayerPruner<S> base, MaskRefiner refiner) {
        this.base = Objects.requireNonNull(base, "base");
        this.refiner = Objects.requireNonNull(refiner, "refiner");
        EnumSet<Kernel> k = EnumSet.noneOf(Kernel.class);
        k.addAll(base.kernels());
        k.addAll(refiner.kernels());
        this.kernels = Set.copyOf(k);
    }

    public static <S> RefinedPruner<S> of(LayerPruner<S> base, MaskRefiner refiner) {
        return new RefinedPruner<>(base, refiner);
    }

    public LayerPruner<S> base() {
        return base;
    }

    public MaskRefiner refiner() {
        return refiner;
    }

    @Override
    public String name() {
        return base.name() + "+" + refiner.name();
    }

    @Override
    public LayerStatistics<Stats<S>> statistics() {
        LayerStatistics<S> b = base.statistics();
        return new LayerStatistics<>() {
            @Override
            public String description() {
                return b.needsCalibration() && !b.description().equals(LayerStatistics.HESSIAN.description())
                        ? b.description() + " and Hessian" : LayerStatistics.HESSIAN.description();
            }

            @Override
            public boolean needsCalibration() {
                return true;
            }

            @Override
            public Stats<S> read(CalibrationFile file, Engine engine, Arena arena, String weightName, long in) {
                S s = b.read(file, engine, arena, weightName, in);
                HessianAccumulator h = base.hessianOf(s);
                return new Stats<>(s, h != null ? h : LayerStatistics.HESSIAN.read(file, engine, arena, weightName, in));
            }

            @Override
            public Stats<S> create(Arena arena, String layerName, int in) {
                S s = b.create(arena, layerName, in);
                HessianAccumulator h = base.hessianOf(s);
                return new Stats<>(s, h != null ? h : LayerStatistics.HESSIAN.create(arena, layerName, in));
            }

            @Override
            public Set<Kernel> kernels() {
                EnumSet<Kernel> k = EnumSet.noneOf(Kernel.class);
                k.addAll(b.kernels());
                k.addAll(LayerStatistics.HESSIAN.kernels());
                return k;
            }

            @Override
            public Stats<S> create(EngineArena work, String layerName, int in) {
                S s = b.create(work, layerName, in);
                HessianAccumulator h = base.hessianOf(s);
                return new Stats<>(s, h != null ? h : LayerStatistics.HESSIAN.create(work, layerName, in));
            }

            @Override
            public Stats<S> copyToHost(EngineArena work, Stats<S> stats, Arena arena) {
                boolean shared = stats.hessian() == base.hessianOf(stats.base());
                S s = b.copyToHost(work, stats.base(), arena);
                HessianAccumulator h = shared ? base.hessianOf(s)
                        : LayerStatistics.HESSIAN.copyToHost(work, stats.hessian(), arena);
                return new Stats<>(s, h);
            }

            @Override
            public void add(Engine engine, Stats<S> stats, Tensor x) {
                b.add(engine, stats.base(), x);
                if (stats.hessian() != base.hessianOf(stats.base())) {
                    LayerStatistics.HESSIAN.add(engine, stats.hessian(), x);
                }
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

    @Override
    public LayerPruneResult prune(Engine engine, Tensor weight, Stats<S> stats, PruneSpec spec, Arena arena) {
        LayerPruneResult start = base.prune(engine, weight, stats.base(), spec, arena);
        return refiner.refine(engine, weight, start, stats.hessian(), spec, arena);
    }

    @Override
    public HessianAccumulator hessianOf(Stats<S> stats) {
        return stats.hessian();
    }

    @Override
    public String toString() {
        return name();
    }
}
