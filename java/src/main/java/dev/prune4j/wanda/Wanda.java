package dev.prune4j.wanda;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.calib.ReconstructionError;
import dev.prune4j.engine.Engine;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.MagnitudeSelection;
import dev.prune4j.prune.PruneTarget;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;

/**
 * Wanda (Sun et al. 2023): prune by {@code |W_ij| * ||X_j||_2 / sqrt(n)}, the weight's magnitude
 * times the root mean square of its input channel, compared within each output row (the default),
 * across the tensor, or within N:M groups. No weight update. The scores go through the same exact
 * selection as magnitude pruning, so counts are exactly {@code floor(r * n)} and ties prune the
 * lower flat index first.
 */
public final class Wanda {
    private Wanda() {}

    /** The Wanda scores of {@code weight [out, in]} as an F32 tensor in {@code arena}. */
    public static Tensor scores(Engine engine, Tensor weight, ActivationStats stats, Arena arena) {
        requireLayer(weight, stats.features());
        Tensor scores = Tensor.allocate(arena, weight.name() + ".wanda_scores", DType.F32, weight.shape());
        engine.wandaScores(weight, stats.normSq(), stats.tokens(), scores);
        return scores;
    }

    /** The keep-mask Wanda chooses for {@code weight}. */
    public static Mask mask(Engine engine, Tensor weight, ActivationStats stats, PruneTarget target) {
        try (Arena arena = Arena.ofShared()) {
            Tensor scores = scores(engine, weight, stats, arena);
            return switch (target.group()) {
                case PER_ROW -> engine.pruneSmallestPerRow(scores, null, (int) target.prunedOf(weight.cols()));
                case PER_TENSOR -> MagnitudeSelection.pruneSmallest(engine, List.of(scores), null,
                        target.prunedOf(weight.numel())).getFirst();
                case N_M -> engine.pruneNm(scores, target.n(), target.m());
            };
        }
    }

    /**
     * Prunes {@code weight}; the result's weights are a new tensor in {@code arena} with the
     * weight's dtype. With a {@code hessian} the result carries the reconstruction error, otherwise NaN.
     */
    public static LayerPruneResult prune(Engine engine, Tensor weight, ActivationStats stats, PruneTarget target,
                                         HessianAccumulator hessian, Arena arena) {
        Mask mask = mask(engine, weight, stats, target);
        Tensor out = Tensor.allocate(arena, weight.name(), weight.dtype(), weight.shape());
        engine.applyMask(weight, mask, out);
        double error = hessian == null ? Double.NaN : ReconstructionError.of(engine, weight, out, hessian);
        return new LayerPruneResult(out, mask, error, Double.NaN);
    }

    static void requireLayer(Tensor weight, int inFeatures) {
        if (weight.rank() != 2 || !weight.dtype().prunable()) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' is " + weight.dtype()
                    + weight.shapeString() + "; expected a 2-D F32, F16 or BF16 matrix [out, in]");
        }
        if (weight.cols() != inFeatures) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' " + weight.shapeString()
                    + " has " + weight.cols() + " input features, its calibration statistics " + inFeatures);
        }
    }
}
