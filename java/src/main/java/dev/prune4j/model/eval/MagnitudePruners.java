package dev.prune4j.model.eval;

import dev.prune4j.engine.Engine;
import dev.prune4j.mask.Mask;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.prune.Magnitude;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.Scope;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Magnitude pruning of a model's linear layers, per row, per tensor, globally or N:M. */
public final class MagnitudePruners {
    private MagnitudePruners() {}

    /** {@code floor(ratio * n)} weights per row or per tensor, smallest |w| first. */
    public static Pruner<Void> unstructured(Engine engine, double ratio, Scope scope) {
        if (scope == Scope.GLOBAL) {
            throw new IllegalArgumentException("global magnitude pruning spans layers: use MagnitudePruners.global");
        }
        return (name, weight, stats, arena) -> masked(engine, weight, Magnitude.prune(engine, weight, ratio, scope), arena);
    }

    /** In every group of M consecutive weights of a row, the N largest stay. */
    public static Pruner<Void> nm(Engine engine, NmPattern pattern) {
        return (name, weight, stats, arena) -> masked(engine, weight, Magnitude.pruneNm(engine, weight, pattern), arena);
    }

    /** One threshold across all linear layers: {@code floor(ratio * total)} weights of the model. */
    public static ModelPruner global(Engine engine, double ratio) {
        return (layers, arena) -> {
            List<Tensor> weights = new ArrayList<>();
            for (Linear l : layers) {
                weights.add(l.weight());
            }
            List<Mask> masks = Magnitude.pruneGlobal(engine, weights, null, ratio);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (int i = 0; i < layers.size(); i++) {
                out.put(layers.get(i).name(), masked(engine, weights.get(i), masks.get(i), arena));
            }
            return out;
        };
    }

    /** The model pruner for {@code scope} (row, tensor or global) at {@code ratio}. */
    public static ModelPruner of(Engine engine, double ratio, Scope scope) {
        return scope == Scope.GLOBAL ? global(engine, ratio)
                : ModelPruner.perLayer(unstructured(engine, ratio, scope), name -> null);
    }

    static Tensor masked(Engine engine, Tensor weight, Mask keep, Arena arena) {
        Tensor out = Tensor.allocate(arena, weight.name(), weight.dtype(), weight.shape());
        engine.applyMask(weight, keep, out);
        return out;
    }
}
