package dev.prune4j.model.eval;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.engine.Engine;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.owl.OwlPruner;
import dev.prune4j.prune.LayerStatistics;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.wanda.WandaPruner;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * OWL on a whole model: the layer sparsities first, from the dense model's weights and activation
 * norms (one dense pass of the calibration inputs, as the OWL reference computes its outlier
 * ratios), then the base method prunes every layer to its layer's sparsity, calibrated as
 * {@link CalibratedModelPruner} does (or layer by layer without statistics for
 * {@code owl-magnitude}). The dense pass adds about one forward pass to the base method's cost.
 *
 * <pre>{@code
 * ModelPruner owlWanda = new OwlModelPruner<>(() -> new LlamaCalibrationPass(model, cpu, windows), engine,
 *         OwlPruner.around(new WandaPruner(), OwlOptions.DEFAULT), PruneSpec.perRow(0.7), Mode.SEQUENTIAL);
 * }</pre>
 *
 * @param <S> the base method's statistics
 */
public final class OwlModelPruner<S> implements ModelPruner {
    private final Supplier<? extends LayerwisePass> calibration;
    private final Engine engine;
    private final OwlPruner<S> method;
    private final PruneSpec spec;
    private final CalibratedModelPruner.Mode mode;
    private volatile OwlPruner<S> lastAllocated;

    /**
     * @param calibration a fresh pass of the calibration inputs through the dense model (called twice per {@link #prune})
     * @param method      OWL around the base method, not yet allocated
     */
    public OwlModelPruner(Supplier<? extends LayerwisePass> calibration, Engine engine, OwlPruner<S> method,
                          PruneSpec spec, CalibratedModelPruner.Mode mode) {
        if (method.allocated()) {
            throw new IllegalArgumentException(method.name() + " is already allocated");
        }
        this.calibration = Objects.requireNonNull(calibration, "calibration");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.method = method;
        this.spec = Objects.requireNonNull(spec, "spec");
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** The pruner of the last {@link #prune} call, with its plan (the layer sparsities); {@code null} before. */
    public OwlPruner<S> lastAllocated() {
        return lastAllocated;
    }

    @Override
    public Map<String, Tensor> prune(List<Linear> layers, Arena arena) {
        Set<String> requested = new HashSet<>();
        for (Linear l : layers) {
            requested.add(l.name());
        }
        OwlPruner<S> allocated = allocate(requested);
        lastAllocated = allocated;
        if (!method.base().statistics().needsCalibration()) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Linear l : layers) {
                out.put(l.name(), allocated.prune(engine, l.weight(), null, spec, arena).weights());
            }
            return out;
        }
        return new CalibratedModelPruner<>(calibration, engine, allocated, spec, mode).prune(layers, arena);
    }

    /** The plan from one dense pass: every layer's requested linear weights and their input norms. */
    private OwlPruner<S> allocate(Set<String> requested) {
        LayerStatistics<ActivationStats> norms = new WandaPruner().statistics();
        LayerwisePass pass = calibration.get();
        try (Arena statsArena = Arena.ofShared()) {
            PerLayerStats<ActivationStats> stats = new PerLayerStats<>((name, in) -> norms.create(statsArena, name, in),
                    (s, x) -> norms.add(pass.engine(), s, x));
            LinearInputObserver wanted = (name, inputs) -> {
                if (requested.contains(name)) {
                    stats.observe(name, inputs);
                }
            };
            List<List<Linear>> blocks = pass.linearsByLayer();
            List<List<Tensor>> weightsByLayer = new ArrayList<>();
            List<List<ActivationStats>> statsByLayer = new ArrayList<>();
            for (int b = 0; b < blocks.size(); b++) {
                pass.advance(b, Map.of(), wanted);
                List<Tensor> weights = new ArrayList<>();
                List<ActivationStats> layerStats = new ArrayList<>();
                for (Linear l : blocks.get(b)) {
                    if (requested.contains(l.name())) {
                        weights.add(l.weight());
                        layerStats.add(stats.get(l.name()));
                    }
                }
                if (!weights.isEmpty()) {
                    weightsByLayer.add(weights);
                    statsByLayer.add(layerStats);
                }
            }
            return method.allocate(pass.engine(), weightsByLayer, statsByLayer, spec);
        }
    }
}
