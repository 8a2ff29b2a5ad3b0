package dev.prune4j.model.eval;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.engine.Engine;
import dev.prune4j.model.bert.BertEncoder;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.model.bert.SentenceEmbedder;
import dev.prune4j.prune.PruneTarget;
import dev.prune4j.sparsegpt.SparseGpt;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.wanda.Wanda;
import java.lang.foreign.Arena;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prunes every linear layer of a sentence-embedding model with a method that needs calibration
 * statistics (Wanda's activation norms, SparseGPT's Hessians), gathered from the linear layers'
 * inputs while the calibration texts run through the encoder. The statistics are fed directly by
 * the forward pass (a {@link PerLayerStats} observer); no raw input is stored.
 *
 * <p>Two ways to calibrate:
 * <ul>
 * <li>{@link Mode#SEQUENTIAL}, as the SparseGPT and Wanda reference code does: encoder layer by
 * encoder layer, the calibration texts run through the encoder whose earlier layers are already
 * pruned, the inputs of this layer's six linear layers feed fresh statistics, and those six are
 * pruned with them (within one encoder layer all six see the dense layer's inputs, as in the
 * references). Later layers thus correct for the errors of earlier ones. Costs one forward pass
 * per encoder layer (up to that layer only); the statistics themselves cost the same as one-shot.</li>
 * <li>{@link Mode#ONE_SHOT}: one pass of the dense model gives every layer's statistics.</li>
 * </ul>
 *
 * @param <S> the statistics of one layer
 */
public final class CalibratedModelPruner<S> implements ModelPruner {
    /** How the calibration inputs of a layer are produced. */
    public enum Mode {
        SEQUENTIAL, ONE_SHOT;

        public String cliName() {
            return this == SEQUENTIAL ? "sequential" : "one-shot";
        }

        public static Mode parse(String s) {
            return switch (s) {
                case "sequential" -> SEQUENTIAL;
                case "one-shot" -> ONE_SHOT;
                default -> throw new IllegalArgumentException("unknown calibration mode '" + s
                        + "' (expected sequential or one-shot)");
            };
        }
    }

    /** Creates and feeds the statistics of one layer. */
    public interface Statistics<S> {
        S create(Arena arena, String layerName, int inFeatures);

        void add(S stats, Tensor inputs);
    }

    private final SentenceEmbedder model;
    private final List<String> calibration;
    private final Statistics<S> statistics;
    private final Pruner<S> pruner;
    private final Mode mode;

    public CalibratedModelPruner(SentenceEmbedder model, List<String> calibration, Statistics<S> statistics,
                                 Pruner<S> pruner, Mode mode) {
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one sentence");
        }
        this.model = model;
        this.calibration = List.copyOf(calibration);
        this.statistics = statistics;
        this.pruner = pruner;
        this.mode = mode;
    }

    /** Wanda: {@code |W_ij| * ||X_j||}, compared as {@code target} says (per row in the paper). */
    public static CalibratedModelPruner<ActivationStats> wanda(SentenceEmbedder model, List<String> calibration,
                                                               Engine engine, PruneTarget target, Mode mode) {
        Statistics<ActivationStats> stats = new Statistics<>() {
            @Override
            public ActivationStats create(Arena arena, String layerName, int inFeatures) {
                return ActivationStats.create(arena, layerName, inFeatures);
            }

            @Override
            public void add(ActivationStats s, Tensor inputs) {
                s.add(engine, inputs);
            }
        };
        Pruner<ActivationStats> pruner = (name, weight, s, arena) ->
                Wanda.prune(engine, weight, s, target, null, arena).weights();
        return new CalibratedModelPruner<>(model, calibration, stats, pruner, mode);
    }

    /** SparseGPT with the Hessian {@code 2/n X^T X} of each layer's inputs; the reconstruction error is not computed. */
    public static CalibratedModelPruner<HessianAccumulator> sparseGpt(SentenceEmbedder model, List<String> calibration,
                                                                      Engine engine, PruneTarget target,
                                                                      SparseGpt.Options options, Mode mode) {
        Statistics<HessianAccumulator> stats = new Statistics<>() {
            @Override
            public HessianAccumulator create(Arena arena, String layerName, int inFeatures) {
                return HessianAccumulator.create(arena, layerName, inFeatures);
            }

            @Override
            public void add(HessianAccumulator h, Tensor inputs) {
                h.add(engine, inputs);
            }
        };
        SparseGpt.Options noError = options.withComputeError(false);
        Pruner<HessianAccumulator> pruner = (name, weight, h, arena) ->
                SparseGpt.prune(engine, weight, h, target, noError, arena).weights();
        return new CalibratedModelPruner<>(model, calibration, stats, pruner, mode);
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public Map<String, Tensor> prune(List<Linear> layers, Arena arena) {
        BertEncoder dense = model.encoder();
        Set<String> requested = new HashSet<>();
        for (Linear l : layers) {
            requested.add(l.name());
        }
        Map<String, Tensor> pruned = new LinkedHashMap<>();
        if (mode == Mode.ONE_SHOT) {
            pruneGroup(dense, layers, pruned, arena);
        } else {
            List<List<Linear>> blocks = dense.linearsByLayer();
            for (int b = 0; b < blocks.size(); b++) {
                List<Linear> wanted = blocks.get(b).stream().filter(l -> requested.contains(l.name())).toList();
                if (!wanted.isEmpty()) {
                    // The calibration text runs through the layers pruned so far, and stops after this one.
                    pruneGroup(dense.withLinearWeights(pruned).firstLayers(b + 1), wanted, pruned, arena);
                }
            }
        }
        if (pruned.size() != requested.size()) {
            Set<String> missing = new HashSet<>(requested);
            missing.removeAll(pruned.keySet());
            throw new IllegalArgumentException("no linear layer named " + missing + " in the encoder");
        }
        return pruned;
    }

    /** One calibration pass through {@code encoder} that feeds the statistics of {@code group}, then prunes it. */
    private void pruneGroup(BertEncoder encoder, List<Linear> group, Map<String, Tensor> pruned, Arena arena) {
        Set<String> names = new HashSet<>();
        for (Linear l : group) {
            names.add(l.name());
        }
        try (Arena statsArena = Arena.ofShared()) {
            PerLayerStats<S> stats = new PerLayerStats<>((name, in) -> statistics.create(statsArena, name, in),
                    statistics::add);
            LinearInputObserver onlyGroup = (name, inputs) -> {
                if (names.contains(name)) {
                    stats.observe(name, inputs);
                }
            };
            Calibration.run(model, encoder, calibration, onlyGroup);
            for (Linear l : group) {
                pruned.put(l.name(), pruner.prune(l.name(), l.weight(), stats.get(l.name()), arena));
            }
        }
    }
}
