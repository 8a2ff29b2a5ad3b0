package dev.prune4j.prune;

import dev.prune4j.engine.Engine;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Magnitude pruning: the weights with the smallest {@code |w|} go. Ratios are met exactly
 * ({@code floor(r * n)} per scope) and ties fall on the lower flat index, on every engine.
 * Tensors may be host tensors (mapped from a checkpoint) or tensors already on the engine's device.
 */
public final class Magnitude {
    private Magnitude() {}

    /** Prunes {@code floor(ratio * n)} weights of {@code w} per row or per tensor. */
    public static Mask prune(Engine engine, Tensor w, double ratio, Scope scope) {
        return prune(engine, w, null, ratio, scope);
    }

    /**
     * As {@link #prune(Engine, Tensor, double, Scope)}, on top of {@code live}: weights it prunes
     * stay pruned and count towards the ratio (iterative pruning).
     */
    public static Mask prune(Engine engine, Tensor w, Mask live, double ratio, Scope scope) {
        return switch (scope) {
            case ROW -> MagnitudeSelection.pruneSmallestPerRow(engine, w, live,
                    Math.toIntExact(PruneCount.of(ratio, w.cols())));
            case TENSOR, GLOBAL -> pruneGlobal(engine, List.of(w), live == null ? null : List.of(live), ratio).getFirst();
        };
    }

    /** The mask {@code spec} asks for on one tensor ({@link PruneSpec.Global} is one tensor's {@code floor(r * n)} here). */
    public static Mask prune(Engine engine, Tensor w, PruneSpec spec) {
        return switch (spec) {
            case PruneSpec.NofM nm -> pruneNm(engine, w, nm.pattern());
            case PruneSpec.Unstructured u -> prune(engine, w, u.ratio(), u.scope());
        };
    }

    /**
     * One threshold across all {@code tensors}: prunes {@code floor(ratio * total)} weights of the
     * model. Tensors are never concatenated (see {@link MagnitudeSelection}).
     *
     * @param live {@code null}, or one mask per tensor whose pruned weights stay pruned and count
     */
    public static List<Mask> pruneGlobal(Engine engine, List<Tensor> tensors, List<Mask> live, double ratio) {
        long total = 0;
        long alreadyPruned = 0;
        for (int i = 0; i < tensors.size(); i++) {
            total += tensors.get(i).numel();
            if (live != null && live.get(i) != null) {
                alreadyPruned += live.get(i).prunedCount();
            }
        }
        long k = PruneCount.of(ratio, total) - alreadyPruned;
        if (k <= 0) {
            List<Mask> unchanged = new ArrayList<>();
            for (int i = 0; i < tensors.size(); i++) {
                Mask m = live == null ? null : live.get(i);
                unchanged.add(m == null ? Mask.allKept(tensors.get(i).shape()) : m.copy());
            }
            return unchanged;
        }
        return MagnitudeSelection.pruneSmallest(engine, tensors, live, k);
    }

    /** N:M by magnitude: in each group of {@code m} consecutive weights, the {@code n} largest stay. */
    public static Mask pruneNm(Engine engine, Tensor w, NmPattern pattern) {
        return MagnitudeSelection.pruneNm(engine, w, pattern);
    }
}
