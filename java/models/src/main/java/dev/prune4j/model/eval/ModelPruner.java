package dev.prune4j.model.eval;

import dev.prune4j.engine.Engine;
import dev.prune4j.model.bert.SentenceEmbedder;
import dev.prune4j.owl.OwlPruner;
import dev.prune4j.mask.Mask;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.Magnitude;
import dev.prune4j.prune.MagnitudePruner;
import dev.prune4j.prune.MagnitudeSelection;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Prunes a model's linear layers together: returns the new weight of each layer it changed, by
 * layer name, allocated in {@code arena}. Methods that need no statistics come from
 * {@link #layerwise}, the model-wide magnitude threshold from {@link #globalMagnitude}, and
 * calibrated methods (Wanda, SparseGPT, any {@link LayerPruner} with statistics) from
 * {@link CalibratedModelPruner}; all of them drive the same {@link LayerPruner} objects as
 * {@code CheckpointPruner}.
 */
@FunctionalInterface
public interface ModelPruner {
    Map<String, Tensor> prune(List<Linear> layers, Arena arena);

    /** {@code method} (one that needs no calibration statistics) on each layer to {@code spec}. */
    static ModelPruner layerwise(Engine engine, LayerPruner<?> method, PruneSpec spec) {
        if (method.statistics().needsCalibration()) {
            throw new IllegalArgumentException(method.name() + " needs calibration statistics: use CalibratedModelPruner");
        }
        return (layers, arena) -> {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Linear l : layers) {
                out.put(l.name(), method.prune(engine, l.weight(), null, spec, arena).weights());
            }
            return out;
        };
    }

    /**
     * {@code method} to {@code spec}, calibrated on {@code calibration} as {@code mode} says when it
     * needs statistics: OWL methods through {@link OwlModelPruner} (their layer sparsities from the
     * dense model first), other calibrated methods through {@link CalibratedModelPruner}, the rest
     * {@link #layerwise}.
     */
    static ModelPruner calibrated(Supplier<? extends LayerwisePass> calibration, Engine engine, LayerPruner<?> method,
                                  PruneSpec spec, CalibratedModelPruner.Mode mode) {
        if (method instanceof OwlPruner<?> owl) {
            return owl(calibration, engine, owl, spec, mode);
        }
        if (!method.statistics().needsCalibration()) {
            return layerwise(engine, method, spec);
        }
        return new CalibratedModelPruner<>(calibration, engine, method, spec, mode);
    }

    /** As {@link #calibrated(Supplier, Engine, LayerPruner, PruneSpec, CalibratedModelPruner.Mode)} on a sentence-embedding model. */
    static ModelPruner calibrated(SentenceEmbedder model, List<String> calibration, Engine engine, LayerPruner<?> method,
                                  PruneSpec spec, CalibratedModelPruner.Mode mode) {
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one sentence");
        }
        List<String> sentences = List.copyOf(calibration);
        return calibrated(() -> new BertCalibrationPass(model, sentences), engine, method, spec, mode);
    }

    private static <S> ModelPruner owl(Supplier<? extends LayerwisePass> calibration, Engine engine, OwlPruner<S> owl,
                                       PruneSpec spec, CalibratedModelPruner.Mode mode) {
        return new OwlModelPruner<>(calibration, engine, owl, spec, mode);
    }

    /** One magnitude threshold across all linear layers: {@code floor(ratio * total)} weights of the model. */
    static ModelPruner globalMagnitude(Engine engine, double ratio) {
        return (layers, arena) -> {
            List<Tensor> weights = new ArrayList<>();
            for (Linear l : layers) {
                weights.add(l.weight());
            }
            List<Mask> masks = Magnitude.pruneGlobal(engine, weights, null, ratio);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (int i = 0; i < layers.size(); i++) {
                Tensor w = weights.get(i);
                Tensor pruned = Tensor.allocate(arena, w.name(), w.dtype(), w.shape());
                MagnitudeSelection.applyMask(engine, w, masks.get(i), pruned);
                out.put(layers.get(i).name(), pruned);
            }
            return out;
        };
    }

    /** Magnitude pruning to {@code spec}: one model-wide threshold for {@link PruneSpec.Global}, else layer by layer. */
    static ModelPruner magnitude(Engine engine, PruneSpec spec) {
        return spec instanceof PruneSpec.Global g ? globalMagnitude(engine, g.ratio())
                : layerwise(engine, new MagnitudePruner(), spec);
    }
}
