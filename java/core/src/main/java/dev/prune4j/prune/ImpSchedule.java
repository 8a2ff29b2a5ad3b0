package dev.prune4j.prune;

import dev.prune4j.engine.Engine;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Iterative magnitude pruning: each round prunes a fraction of the weights that are still there
 * (default 25 %), until the target sparsity; the last round stops exactly at the target. Each
 * round's mask prunes a superset of the previous round's weights.
 *
 * <p>Between rounds a training loop usually retrains; the lottery-ticket variant instead rewinds the
 * kept weights to their original values: {@link #rewind}.
 */
public record ImpSchedule(double target, double fractionOfRemaining) {
    public static final double DEFAULT_FRACTION = 0.25;

    public ImpSchedule {
        PruneCount.checkRatio(target);
        if (!(fractionOfRemaining > 0.0 && fractionOfRemaining <= 1.0)) {
            throw new IllegalArgumentException("fraction of remaining weights must be in (0, 1], got "
                    + fractionOfRemaining);
        }
    }

    public static ImpSchedule to(double target) {
        return new ImpSchedule(target, DEFAULT_FRACTION);
    }

    /** The sparsity after each round: {@code 1 - (1 - f)^i}, the last one clipped to the target. */
    public List<Double> sparsities() {
        List<Double> out = new ArrayList<>();
        double density = 1.0;
        while (true) {
            density *= 1.0 - fractionOfRemaining;
            double s = 1.0 - density;
            // A round that would land within a hair of the target is the target round.
            if (s >= target - 1e-12) {
                out.add(target);
                return Collections.unmodifiableList(out);
            }
            out.add(s);
        }
    }

    /**
     * One round over a set of tensors: prunes up to {@code sparsity} in {@code scope}, keeping what
     * {@code previous} pruned (null in the first round).
     */
    public static List<Mask> round(Engine engine, List<Tensor> weights, List<Mask> previous, double sparsity, Scope scope) {
        if (scope == Scope.GLOBAL) {
            return Magnitude.pruneGlobal(engine, weights, previous, sparsity);
        }
        List<Mask> out = new ArrayList<>(weights.size());
        for (int i = 0; i < weights.size(); i++) {
            out.add(Magnitude.prune(engine, weights.get(i), previous == null ? null : previous.get(i), sparsity, scope));
        }
        return out;
    }

    /**
     * Resets the kept weights of {@code current} to their values in {@code original} and zeroes the
     * pruned ones (rewinding, as in the lottery-ticket experiments). {@code original} is read only.
     */
    public static void rewind(Engine engine, Tensor original, Mask keep, Tensor current) {
        MagnitudeSelection.applyMask(engine, original, keep, current);
    }
}
