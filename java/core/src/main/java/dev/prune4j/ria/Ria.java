package dev.prune4j.ria;

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
 * RIA, relative importance and activations (Zhang et al., "Plug-and-Play", ICLR 2024, eq. 3):
 * prune by
 * <pre>
 *   RIA_ij = (|W_ij| / sum_k |W_kj| + |W_ij| / sum_k |W_ik|) * ||X_j||^a ,   a = 0.5
 * </pre>
 * the weight's share of all weights fed by input channel {@code j} plus its share of all weights of
 * output row {@code i}, times the channel's activation norm to the power {@code a}. The relative
 * terms stop one loud channel or one large row from taking (or losing) every weight at once; the
 * exponent below 1 damps the activation outliers that Wanda's {@code a = 1} follows. Here
 * {@code ||X_j||} is the root mean square {@code sqrt(normSq_j / tokens)}, as in Wanda; a constant
 * factor on every channel changes no comparison.
 *
 * <p>The reference compares the scores across the whole layer (its default; {@code --per_outneuron}
 * compares per row, Wanda's way), or within N:M groups. No weight update. The scores go through
 * {@link MagnitudeSelection}, so counts are exactly {@code floor(r * n)} per row or tensor and ties
 * prune the lower flat index first. On a device engine the weight and the norms cross the bus once
 * and the scores stay on the device.
 */
public final class Ria {
    /** The engine kernels RIA calls. */
    public static final Set<Kernel> KERNELS = EnumSet.of(Kernel.RIA_SCORES, Kernel.MAGNITUDE_HISTOGRAM,
            Kernel.PRUNE_BELOW, Kernel.PRUNE_SMALLEST_PER_ROW, Kernel.PRUNE_NM, Kernel.APPLY_MASK);

    /** @param exponent the power {@code a} of the activation norm (the paper's 0.5) */
    public record Options(double exponent) {
        public static final Options DEFAULT = new Options(0.5);

        public Options {
            if (!(exponent >= 0) || Double.isInfinite(exponent)) {
                throw new IllegalArgumentException("RIA's activation exponent must be a finite number >= 0, got "
                        + exponent);
            }
        }
    }

    private Ria() {}

    /** The RIA scores of {@code weight [out, in]} as an F32 host tensor in {@code arena}. */
    public static Tensor scores(Engine engine, Tensor weight, ActivationStats stats, Options options, Arena arena) {
        requireLayer(weight, stats);
        Tensor scores = Tensor.allocate(arena, weight.name() + ".ria_scores", DType.F32, weight.shape());
        try (EngineArena work = engine.openArena()) {
            Tensor onDevice = work.outputFor(scores);
            engine.riaScores(work.upload(weight), work.upload(stats.normSq()), stats.tokens(), options.exponent(),
                    onDevice);
            work.download(onDevice, scores);
        }
        return scores;
    }

    /** The keep-mask RIA chooses for {@code weight}. */
    public static Mask mask(Engine engine, Tensor weight, ActivationStats stats, PruneSpec spec, Options options) {
        requireLayer(weight, stats);
        try (EngineArena work = engine.openArena()) {
            return mask(engine, work, work.upload(weight), stats, spec, options);
        }
    }

    /**
     * Prunes {@code weight}; the result's weights are a new tensor in {@code arena} with the
     * weight's dtype. With a {@code hessian} the result carries the reconstruction error, otherwise NaN.
     */
    public static LayerPruneResult prune(Engine engine, Tensor weight, ActivationStats stats, PruneSpec spec,
                                         Options options, HessianAccumulator hessian, Arena arena) {
        requireLayer(weight, stats);
        Tensor out = Tensor.allocate(arena, weight.name(), weight.dtype(), weight.shape());
        Mask mask;
        try (EngineArena work = engine.openArena()) {
            Tensor w = work.upload(weight);
            mask = mask(engine, work, w, stats, spec, options);
            Tensor pruned = work.outputFor(out);
            MagnitudeSelection.applyMask(engine, w, mask, pruned);
            work.download(pruned, out);
        }
        double error = hessian == null ? Double.NaN : ReconstructionError.of(engine, weight, out, hessian);
        return new LayerPruneResult(out, mask, error, Double.NaN);
    }

    private static Mask mask(Engine engine, EngineArena work, Tensor w, ActivationStats stats, PruneSpec spec,
                             Options options) {
        if (spec instanceof PruneSpec.NofM nm) {
            nm.pattern().requireFits(w);
        }
        if (spec instanceof PruneSpec.Global) {
            throw PruneSpec.globalIsNotPerLayer("RIA");
        }
        Tensor scores = work.allocate(w.name() + ".ria_scores", DType.F32, w.shape());
        engine.riaScores(w, work.upload(stats.normSq()), stats.tokens(), options.exponent(), scores);
        return switch (spec) {
            case PruneSpec.PerRow r -> MagnitudeSelection.pruneSmallestPerRow(engine, scores, null,
                    Math.toIntExact(r.prunedOf(w.cols())));
            case PruneSpec.PerTensor t -> MagnitudeSelection.pruneSmallest(engine, List.of(scores), null,
                    t.prunedOf(w.numel())).getFirst();
            case PruneSpec.NofM nm -> MagnitudeSelection.pruneNm(engine, scores, nm.pattern());
            case PruneSpec.Global g -> throw PruneSpec.globalIsNotPerLayer("RIA");
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
        if (weight.rows() > Integer.MAX_VALUE || weight.cols() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' " + weight.shapeString()
                    + " is too large for RIA's per-row and per-column sums");
        }
    }
}
