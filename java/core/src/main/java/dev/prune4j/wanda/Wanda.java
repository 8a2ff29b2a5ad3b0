package dev.prune4j.wanda;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.calib.ReconstructionError;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.Kernel;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.MagnitudeSelection;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Wanda (Sun et al. 2023): prune by {@code |W_ij| * ||X_j||_2 / sqrt(n)}, the weight's magnitude
 * times the root mean square of its input channel, compared within each output row (the paper's
 * default), across the tensor, or within N:M groups. No weight update. The scores go through the
 * same exact selection as magnitude pruning, so counts are exactly {@code floor(r * n)} and ties
 * prune the lower flat index first. On a device engine the weight and the norms cross the bus once,
 * the scores never leave the device, and the pruned weight comes back once.
 */
public final class Wanda {
    /** The engine kernels Wanda calls. */
    public static final Set<Kernel> KERNELS = EnumSet.of(Kernel.WANDA_SCORES, Kernel.MAGNITUDE_HISTOGRAM,
            Kernel.PRUNE_BELOW, Kernel.PRUNE_SMALLEST_PER_ROW, Kernel.PRUNE_NM, Kernel.APPLY_MASK);

    private Wanda() {}

    /** The Wanda scores of {@code weight [out, in]} as an F32 host tensor in {@code arena}. */
    public static Tensor scores(Engine engine, Tensor weight, ActivationStats stats, Arena arena) {
        requireLayer(weight, stats);
        Tensor scores = Tensor.allocate(arena, weight.name() + ".wanda_scores", DType.F32, weight.shape());
        try (EngineArena work = engine.openArena()) {
            Tensor onDevice = work.outputFor(scores);
            engine.wandaScores(work.upload(weight), work.upload(stats.normSq()), stats.tokens(), onDevice);
            work.download(onDevice, scores);
        }
        return scores;
    }

    /** The keep-mask Wanda chooses for {@code weight}. */
    public static Mask mask(Engine engine, Tensor weight, ActivationStats stats, PruneSpec spec) {
        requireLayer(weight, stats);
        try (EngineArena work = engine.openArena()) {
            return mask(engine, work, work.upload(weight), stats, spec);
        }
    }

    /**
     * Prunes {@code weight}; the result's weights are a new tensor in {@code arena} with the
     * weight's dtype. With a {@code hessian} the result carries the reconstruction error, otherwise NaN.
     */
    public static LayerPruneResult prune(Engine engine, Tensor weight, ActivationStats stats, PruneSpec spec,
                                         HessianAccumulator hessian, Arena arena) {
        requireLayer(weight, stats);
        Tensor out = Tensor.allocate(arena, weight.name(), weight.dtype(), weight.shape());
        Mask mask;
        try (EngineArena work = engine.openArena()) {
            Tensor w = work.upload(weight);
            mask = mask(engine, work, w, stats, spec);
            Tensor pruned = work.outputFor(out);
            MagnitudeSelection.applyMask(engine, w, mask, pruned);
            work.download(pruned, out);
        }
        double error = hessian == null ? Double.NaN : ReconstructionError.of(engine, weight, out, hessian);
        return new LayerPruneResult(out, mask, error, Double.NaN);
    }

    /** The mask from the resident weight {@code w}; the scores stay on the device. */
    private static Mask mask(Engine engine, EngineArena work, Tensor w, ActivationStats stats, PruneSpec spec) {
        Tensor scores = work.allocate(w.name() + ".wanda_scores", DType.F32, w.shape());
        engine.wandaScores(w, work.upload(stats.normSq()), stats.tokens(), scores);
        return switch (spec) {
            case PruneSpec.PerRow r -> MagnitudeSelection.pruneSmallestPerRow(engine, scores, null,
                    Math.toIntExact(r.prunedOf(w.cols())));
            case PruneSpec.PerTensor t -> MagnitudeSelection.pruneSmallest(engine, List.of(scores), null,
                    t.prunedOf(w.numel())).getFirst();
            case PruneSpec.NofM nm -> MagnitudeSelection.pruneNm(engine, scores, nm.pattern());
            case PruneSpec.Global g -> throw PruneSpec.globalIsNotPerLayer("Wanda");
        };
    }

    static void requireLayer(Tensor weight, ActivationStats stats) {
        if (weight.rank() != 2 || !weight.dtype().prunable()) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' is " + weight.dtype()
                    + weight.shapeString() + "; expected a 2-D F32, F16 or BF16 matrix [out, in]");
        }
        if (weight.cols() != stats.features()) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' " + weight.shapeString()
                    + " has " + weight.cols() + " input features, its calibration statistics " + stats.features());
        }
        if (stats.tokens() <= 0) {
            throw new IllegalArgumentException("activation statistics for '" + weight.name() + "' count "
                    + stats.tokens() + " tokens; need at least one");
        }
    }
}
