package dev.prune4j.model.eval;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.EngineLease;
import dev.prune4j.model.bert.BertEncoder;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.model.bert.SentenceEmbedder;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.LayerStatistics;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prunes every linear layer of a sentence-embedding model with a {@link LayerPruner} that needs
 * calibration statistics (Wanda's activation norms, SparseGPT's Hessians, or any other method's),
 * gathered from the linear layers' inputs while the calibration texts run through the encoder. The
 * statistics are fed directly by the forward pass (a {@link PerLayerStats} observer, through the
 * method's {@link LayerStatistics}); no raw input is stored.
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
 * <pre>{@code
 * ModelPruner wanda = CalibratedModelPruner.of(model, sentences, engine, new WandaPruner(),
 *         PruneSpec.perRow(0.5), Mode.SEQUENTIAL);
 * }</pre>
 *
 * @param <S> the statistics of one layer
 */
public final class CalibratedModelPruner<S> implements ModelPruner {
    /** How the calibration inputs of a layer are produced. */
    public enum Mode {
        SEQUENTIAL("sequential"), ONE_SHOT("one-shot");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        /** {@code sequential} or {@code one-shot}. */
        public String label() {
            return label;
        }

        public static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.label.equals(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown calibration mode '" + s + "' (expected sequential or one-shot)");
        }
    }

    private final SentenceEmbedder model;
    private final List<String> calibration;
    private final Engine engine;
    private final LayerPruner<S> method;
    private final PruneSpec spec;
    private final Mode mode;

    public CalibratedModelPruner(SentenceEmbedder model, List<String> calibration, Engine engine,
                                 LayerPruner<S> method, PruneSpec spec, Mode mode) {
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one sentence");
        }
        this.model = model;
        this.calibration = List.copyOf(calibration);
        this.engine = engine;
        this.method = method;
        this.spec = spec;
        this.mode = mode;
    }

    /** {@code method} to {@code spec}, calibrated on {@code calibration} as {@code mode} says. */
    public static <S> CalibratedModelPruner<S> of(SentenceEmbedder model, List<String> calibration, Engine engine,
                                                  LayerPruner<S> method, PruneSpec spec, Mode mode) {
        return new CalibratedModelPruner<>(model, calibration, engine, method, spec, mode);
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
        LayerStatistics<S> statistics = method.statistics();
        // The statistics stay on the gathering engine's device for the whole pass and come to the
        // host once per layer; gathering and pruning each run where their kernels are.
        try (EngineLease gathering = EngineLease.withKernels(engine, statistics.kernels(), "calibration statistics");
             EngineLease pruning = EngineLease.withKernels(engine, method.kernels(), method.name());
             EngineArena work = gathering.engine().openArena();
             Arena hostStats = Arena.ofShared()) {
            Engine gather = gathering.engine();
            PerLayerStats<S> stats = new PerLayerStats<>((name, in) -> statistics.create(work, name, in),
                    (s, x) -> statistics.add(gather, s, x));
            LinearInputObserver onlyGroup = (name, inputs) -> {
                if (names.contains(name)) {
                    stats.observe(name, inputs);
                }
            };
            Calibration.run(model, encoder, calibration, onlyGroup);
            for (Linear l : group) {
                S host = statistics.copyToHost(work, stats.get(l.name()), hostStats);
                pruned.put(l.name(), method.prune(pruning.engine(), l.weight(), host, spec, arena).weights());
            }
        }
    }
}
