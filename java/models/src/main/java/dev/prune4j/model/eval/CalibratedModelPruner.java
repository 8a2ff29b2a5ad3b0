package dev.prune4j.model.eval;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.EngineLease;
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
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Prunes every linear layer of a model with a {@link LayerPruner} that needs calibration
 * statistics (Wanda's activation norms, SparseGPT's Hessians, or any other method's), gathered
 * from the linear layers' inputs while calibration inputs run through the model layer by layer
 * ({@link LayerwisePass}: MiniLM's sentences, SmolLM2's token windows). The statistics are fed
 * directly by the forward pass (a {@link PerLayerStats} observer, through the method's
 * {@link LayerStatistics}, accumulated on the engine that has the statistics' kernels and brought
 * to the host once per layer); no raw input is stored. Only the
 * statistics of one layer's linear layers exist at a time.
 *
 * <p>Two ways to calibrate:
 * <ul>
 * <li>{@link Mode#SEQUENTIAL}, as the SparseGPT and Wanda reference code does: layer by layer, the
 * calibration inputs arrive through the earlier layers already pruned; one run of the layer feeds
 * the statistics of all its linear layers (all see the dense layer's inputs, as in the
 * references), those are pruned, and the layer is run again with its pruned weights to give the
 * next layer its inputs. Later layers thus correct for the errors of earlier ones. Costs two
 * forward passes in all.</li>
 * <li>{@link Mode#ONE_SHOT}: every layer's statistics from the dense model (one forward pass).</li>
 * </ul>
 *
 * <pre>{@code
 * ModelPruner wanda = CalibratedModelPruner.of(model, sentences, engine, new WandaPruner(),
 *         PruneSpec.perRow(0.5), Mode.SEQUENTIAL);
 * ModelPruner sparseGpt = new CalibratedModelPruner<>(() -> new LlamaCalibrationPass(llama, cpu, windows),
 *         engine, new SparseGptPruner(), PruneSpec.nm(2, 4), Mode.SEQUENTIAL);
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

    private final Supplier<? extends LayerwisePass> calibration;
    private final Engine engine;
    private final LayerPruner<S> method;
    private final PruneSpec spec;
    private final Mode mode;

    /**
     * @param calibration a fresh pass of the calibration inputs through the dense model, per {@link #prune} call
     * @param engine      the engine the method prunes on (it must have the method's kernels)
     */
    public CalibratedModelPruner(Supplier<? extends LayerwisePass> calibration, Engine engine, LayerPruner<S> method,
                                 PruneSpec spec, Mode mode) {
        if (!method.statistics().needsCalibration()) {
            throw new IllegalArgumentException(method.name() + " needs no calibration: use ModelPruner.layerwise");
        }
        this.calibration = Objects.requireNonNull(calibration, "calibration");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.method = method;
        this.spec = Objects.requireNonNull(spec, "spec");
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** {@code method} to {@code spec} on a sentence-embedding model, calibrated on {@code calibration} as {@code mode} says. */
    public static <S> CalibratedModelPruner<S> of(SentenceEmbedder model, List<String> calibration, Engine engine,
                                                  LayerPruner<S> method, PruneSpec spec, Mode mode) {
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one sentence");
        }
        List<String> sentences = List.copyOf(calibration);
        return new CalibratedModelPruner<>(() -> new BertCalibrationPass(model, sentences), engine, method, spec, mode);
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public Map<String, Tensor> prune(List<Linear> layers, Arena arena) {
        Set<String> requested = new HashSet<>();
        for (Linear l : layers) {
            requested.add(l.name());
        }
        Map<String, Tensor> pruned = new LinkedHashMap<>();
        LayerwisePass pass = calibration.get();
        List<List<Linear>> blocks = pass.linearsByLayer();
        for (int b = 0; b < blocks.size() && pruned.size() < requested.size(); b++) {
            List<Linear> wanted = blocks.get(b).stream().filter(l -> requested.contains(l.name())).toList();
            if (wanted.isEmpty()) {
                pass.advance(b, Map.of(), LinearInputObserver.NONE);
                continue;
            }
            pruneLayer(pass, b, wanted, pruned, arena);
        }
        if (pruned.size() != requested.size()) {
            Set<String> missing = new TreeSet<>(requested);
            missing.removeAll(pruned.keySet());
            throw new IllegalArgumentException("no linear layer named " + missing + " in the model");
        }
        return pruned;
    }

    /** Statistics of {@code group} (linear layers of layer {@code b}) from one run of that layer, then prunes them. */
    private void pruneLayer(LayerwisePass pass, int b, List<Linear> group, Map<String, Tensor> pruned, Arena arena) {
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
            Map<String, Tensor> layerWeights = new LinkedHashMap<>();
            if (mode == Mode.ONE_SHOT) {
                pass.advance(b, Map.of(), onlyGroup);
            } else {
                pass.observe(b, onlyGroup);
            }
            for (Linear l : group) {
                S host = statistics.copyToHost(work, stats.get(l.name()), hostStats);
                layerWeights.put(l.name(), method.prune(pruning.engine(), l.weight(), host, spec, arena).weights());
            }
            if (mode == Mode.SEQUENTIAL) {
                // The next layer's inputs come out of this layer as pruned.
                pass.advance(b, layerWeights, LinearInputObserver.NONE);
            }
            pruned.putAll(layerWeights);
        }
    }
}
