package dev.prune4j.owl;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.Kernel;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneCount;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * OWL's layerwise sparsities (Yin et al., "Outlier Weighed Layerwise Sparsity", ICML 2024), a
 * model-level allocation in two steps.
 *
 * <p><b>Outlier ratio</b> of decoder layer {@code l} (paper eq. 1, the reference's
 * {@code check_outlier_mean}): over all weights of all its linear layers together, the share whose
 * Wanda score {@code A_ij = |W_ij| * ||X_j||} is above {@code M} times the mean score. The mean is
 * the plain mean over the concatenated scores of the layer (so a larger matrix weighs more), and
 * the score is Wanda's whatever the base method (the reference does so for magnitude and SparseGPT
 * too). A constant factor on the norms changes neither the mean's role nor the count, so the
 * reference's per-sample normalisation and Wanda's per-token one give the same ratio.
 *
 * <p><b>Ratios</b> (the reference's adjustment): {@code s_l = (D_l - min D) / (max D - min D) * 2 lambda},
 * then {@code r_l = r + (mean(s) - s_l)}: layers with more outliers keep more weights, every
 * {@code r_l} lies in a range of {@code 2 lambda} around {@code r}, and the mean of the {@code r_l}
 * is exactly {@code r}. The mean is weighted by each layer's weight count, which is the reference's
 * plain mean when the layers are equal in size (every decoder-only LLM) and keeps the model-wide
 * sparsity at {@code r} when they are not. Where the spread would leave {@code [0, 1]} (small
 * {@code r} or large {@code lambda}), all deviations shrink by one factor, which keeps the mean
 * (the reference clamps at 0.01 and loses it). Equal outlier ratios leave every layer at {@code r}.
 *
 * <p><b>Exact counts.</b> Each layer is then pruned by its base method to {@code r_l} in the
 * method's scope: {@code floor(r_l * n)} of every row or tensor. The model-wide count is therefore
 * {@code sum floor(r_l * n) <= r * N}, short of {@code r * N} by less than one weight per row (or
 * tensor); tensors outside any decoder layer are pruned at {@code r} itself.
 *
 * <p><b>N:M</b> (the reference's structured variant): {@code s_l = (D_l - min D) / (max D - min D) * lambda},
 * centred on its weighted mean, and layer {@code l} keeps {@code N + rint(s_l)} of every M (at
 * least 1, at most M - 1). The rounding means the model-wide density is N/M only up to it.
 */
public final class OwlAllocation {
    /** The kernels the allocation calls. */
    public static final Set<Kernel> KERNELS = EnumSet.of(Kernel.WANDA_SCORES, Kernel.SCORE_SUM, Kernel.COUNT_ABOVE);

    private OwlAllocation() {}

    /**
     * OWL's layer sparsities for the model-wide ratio {@code ratio}: one per decoder layer, from the
     * weights of each layer's linear layers and their activation statistics (the same order).
     *
     * <pre>{@code
     * double[] r = OwlAllocation.ratios(engine, weightsByLayer, statsByLayer, 0.7, OwlOptions.DEFAULT);
     * }</pre>
     */
    public static double[] ratios(Engine engine, List<List<Tensor>> weightsByLayer,
                                  List<List<ActivationStats>> statsByLayer, double ratio, OwlOptions options) {
        PruneCount.checkRatio(ratio);
        return ratios(outlierRatios(engine, weightsByLayer, statsByLayer, options), weightCounts(weightsByLayer),
                ratio, options.lambda());
    }

    /** The outlier ratio {@code D_l} of every layer, in [0, 1]. */
    public static double[] outlierRatios(Engine engine, List<List<Tensor>> weightsByLayer,
                                         List<List<ActivationStats>> statsByLayer, OwlOptions options) {
        if (weightsByLayer.size() != statsByLayer.size()) {
            throw new IllegalArgumentException("OWL: " + weightsByLayer.size() + " layers of weights but "
                    + statsByLayer.size() + " of activation statistics");
        }
        double[] d = new double[weightsByLayer.size()];
        for (int l = 0; l < d.length; l++) {
            d[l] = outlierRatio(engine, weightsByLayer.get(l), statsByLayer.get(l), options.m());
        }
        return d;
    }

    /**
     * The share of the scores {@code |W_ij| * ||X_j||} of all {@code weights} together that are
     * above {@code m} times their mean (0 for no weights).
     */
    public static double outlierRatio(Engine engine, List<Tensor> weights, List<ActivationStats> stats, double m) {
        if (weights.size() != stats.size()) {
            throw new IllegalArgumentException("OWL: " + weights.size() + " weights but " + stats.size()
                    + " activation statistics in one layer");
        }
        long count = 0;
        double sum = 0;
        for (int t = 0; t < weights.size(); t++) {
            requireLayer(weights.get(t), stats.get(t));
            count += weights.get(t).numel();
        }
        if (count == 0) {
            return 0;
        }
        for (int t = 0; t < weights.size(); t++) {
            if (weights.get(t).numel() > 0) {
                try (EngineArena work = engine.openArena()) {
                    sum += engine.scoreSum(scores(engine, work, weights.get(t), stats.get(t)));
                }
            }
        }
        // The reference compares the F32 scores with the F32 threshold M * mean.
        float threshold = (float) (m * (sum / count));
        long outliers = 0;
        for (int t = 0; t < weights.size(); t++) {
            if (weights.get(t).numel() > 0) {
                try (EngineArena work = engine.openArena()) {
                    outliers += engine.countAbove(scores(engine, work, weights.get(t), stats.get(t)), threshold);
                }
            }
        }
        return (double) outliers / count;
    }

    /**
     * The layer sparsities from the outlier ratios {@code d} and the weight count of every layer
     * (the class comment's formula): their weighted mean is {@code ratio}, each in [0, 1].
     */
    public static double[] ratios(double[] d, long[] weights, double ratio, double lambda) {
        PruneCount.checkRatio(ratio);
        double[] dev = centredSpread(d, weights, 2 * lambda);
        // r_l = r - f * dev_l; the largest f <= 1 that keeps every r_l in [0, 1].
        double f = 1;
        for (double x : dev) {
            if (x > 0) {
                f = Math.min(f, ratio / x);
            } else if (x < 0) {
                f = Math.min(f, (1 - ratio) / -x);
            }
        }
        double[] r = new double[d.length];
        for (int l = 0; l < r.length; l++) {
            r[l] = Math.clamp(ratio - f * dev[l], 0.0, 1.0);
        }
        return r;
    }

    /** N:M: how many of every M each layer keeps (the class comment's formula). */
    public static int[] keptPerGroup(double[] d, long[] weights, NmPattern pattern, double lambda) {
        double[] dev = centredSpread(d, weights, lambda);
        int[] kept = new int[d.length];
        for (int l = 0; l < kept.length; l++) {
            kept[l] = (int) Math.clamp(pattern.n() + Math.rint(dev[l]), 1, pattern.m() - 1);
        }
        return kept;
    }

    /** The spec each layer gets for the model-wide {@code spec}. */
    public static List<PruneSpec> layerSpecs(double[] d, long[] weights, PruneSpec spec, OwlOptions options) {
        List<PruneSpec> specs = new ArrayList<>(d.length);
        switch (spec) {
            case PruneSpec.NofM nm -> {
                for (int k : keptPerGroup(d, weights, nm.pattern(), options.lambda())) {
                    specs.add(PruneSpec.nm(k, nm.pattern().m()));
                }
            }
            case PruneSpec.Global g -> throw PruneSpec.globalIsNotPerLayer("OWL");
            case PruneSpec.Unstructured u -> {
                for (double r : ratios(d, weights, u.ratio(), options.lambda())) {
                    specs.add(PruneSpec.unstructured(r, u.scope()));
                }
            }
        }
        return specs;
    }

    /** Weights per layer. */
    public static long[] weightCounts(List<List<Tensor>> weightsByLayer) {
        long[] n = new long[weightsByLayer.size()];
        for (int l = 0; l < n.length; l++) {
            for (Tensor t : weightsByLayer.get(l)) {
                n[l] += t.numel();
            }
        }
        return n;
    }

    /**
     * {@code s_l - mean_w(s)} with {@code s_l = (d_l - min) / (max - min) * width}, the mean weighted
     * by {@code weights}; all zero when the ratios are all equal.
     */
    private static double[] centredSpread(double[] d, long[] weights, double width) {
        if (d.length != weights.length) {
            throw new IllegalArgumentException(d.length + " outlier ratios for " + weights.length + " layers");
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : d) {
            if (!(x >= 0 && x <= 1)) {
                throw new IllegalArgumentException("outlier ratio " + x + " is not in [0, 1]");
            }
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double[] s = new double[d.length];
        if (d.length == 0 || !(max > min)) {
            return s;
        }
        double total = 0;
        double weighted = 0;
        for (int l = 0; l < d.length; l++) {
            s[l] = (d[l] - min) / (max - min) * width;
            total += weights[l];
            weighted += weights[l] * s[l];
        }
        double mean = total > 0 ? weighted / total : 0;
        for (int l = 0; l < s.length; l++) {
            s[l] -= mean;
        }
        return s;
    }

    /** Wanda's scores of {@code weight} on the engine's device, in {@code work}. */
    private static Tensor scores(Engine engine, EngineArena work, Tensor weight, ActivationStats stats) {
        Tensor scores = work.allocate(weight.name() + ".owl_scores", DType.F32, weight.shape());
        engine.wandaScores(work.upload(weight), work.upload(stats.normSq()), stats.tokens(), scores);
        return scores;
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
