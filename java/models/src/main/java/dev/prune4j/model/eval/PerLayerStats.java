package dev.prune4j.model.eval;

import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Calibration statistics per linear layer, fed by the inputs a forward pass shows a
 * {@link LinearInputObserver}. The first input of a layer creates its statistics with
 * {@code create(layerName, inFeatures)}; every input is then added with {@code add}. For example
 * Wanda's activation statistics and SparseGPT's Hessians:
 *
 * <pre>{@code
 * var stats = new PerLayerStats<>((name, in) -> ActivationStats.create(arena, name, in),
 *         (ActivationStats s, Tensor x) -> s.add(engine, x));
 * Calibration.run(model, model.encoder(), sentences, stats);
 * ActivationStats q = stats.get("encoder.layer.0.attention.self.query");
 * }</pre>
 *
 * @param <S> the statistics of one layer
 */
public final class PerLayerStats<S> implements LinearInputObserver {
    /** Creates the statistics of a layer from its name and input width. */
    @FunctionalInterface
    public interface Factory<S> {
        S create(String layerName, int inFeatures);
    }

    private final Factory<S> create;
    private final BiConsumer<S, Tensor> add;
    private final Map<String, S> byLayer = new LinkedHashMap<>();

    public PerLayerStats(Factory<S> create, BiConsumer<S, Tensor> add) {
        this.create = create;
        this.add = add;
    }

    @Override
    public void observe(String linearName, Tensor inputs) {
        S s = byLayer.computeIfAbsent(linearName, name -> create.create(name, Math.toIntExact(inputs.dim(1))));
        add.accept(s, inputs);
    }

    /** The statistics of {@code layerName}; an error naming the layer when it saw no input. */
    public S get(String layerName) {
        S s = byLayer.get(layerName);
        if (s == null) {
            throw new IllegalStateException("no calibration input was seen for layer '" + layerName
                    + "'; layers seen: " + byLayer.keySet());
        }
        return s;
    }

    /** Layer names in the order their first input came. */
    public Map<String, S> all() {
        return java.util.Collections.unmodifiableMap(byLayer);
    }

    /** The statistics by layer name, as a function. */
    public Function<String, S> lookup() {
        return this::get;
    }
}
