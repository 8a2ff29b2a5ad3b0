package dev.prune4j.model.eval;

import dev.prune4j.model.bert.Linear;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Prunes a model's linear layers together: returns the new weight of each layer it changed, by
 * layer name, allocated in {@code arena}. Per-layer methods come from {@link #perLayer}; methods
 * with one threshold across the model (global magnitude) implement this directly.
 */
@FunctionalInterface
public interface ModelPruner {
    Map<String, Tensor> prune(List<Linear> layers, Arena arena);

    /**
     * Runs {@code pruner} on each layer with that layer's statistics ({@code stats.apply(name)},
     * which may return {@code null} for methods that need none).
     */
    static <S> ModelPruner perLayer(Pruner<S> pruner, Function<String, S> stats) {
        return (layers, arena) -> {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Linear l : layers) {
                out.put(l.name(), pruner.prune(l.name(), l.weight(), stats.apply(l.name()), arena));
            }
            return out;
        };
    }
}
