package dev.prune4j.model.eval.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.model.eval.CalibratedModelPruner;
import dev.prune4j.model.eval.CalibratedModelPruner.Mode;
import dev.prune4j.model.eval.LayerwisePass;
import dev.prune4j.model.eval.PerLayerStats;
import dev.prune4j.model.llama.LlamaModel;
import dev.prune4j.model.llama.TinyLlama;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.sparsegpt.SparseGptPruner;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.wanda.WandaPruner;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sequential calibration of a decoder through {@link LlamaCalibrationPass}: the same masks and
 * weights as the plain (quadratic) way of getting there, re-running the whole model with the
 * layers pruned so far for every layer, but in two passes over the calibration windows.
 */
class SequentialCalibrationTest {
    private static final CpuEngine ENGINE = new CpuEngine(2);
    private static final int[][] WINDOWS = {TinyLlama.tokens(16, 21), TinyLlama.tokens(16, 22), TinyLlama.tokens(16, 23)};
    private static LlamaModel model;

    @TempDir
    static Path dir;

    @BeforeAll
    static void load() throws IOException {
        model = LlamaModel.load(new TinyLlama().writeFolder(dir.resolve("tiny"), DType.F32));
    }

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    static Stream<LayerPruner<?>> calibratedMethods() {
        return Stream.of(new WandaPruner(), new SparseGptPruner());
    }

    @ParameterizedTest
    @MethodSource("calibratedMethods")
    void sequentialEqualsRerunningTheModelUpToEachLayer(LayerPruner<?> method) {
        for (PruneSpec spec : List.of(method.defaultSpec(0.5), PruneSpec.nm(2, 4))) {
            try (Arena arena = Arena.ofShared()) {
                Map<String, Tensor> incremental = new CalibratedModelPruner<>(
                        () -> new LlamaCalibrationPass(model, ENGINE, WINDOWS), ENGINE, method, spec, Mode.SEQUENTIAL)
                        .prune(model.linears(), arena);
                Map<String, Tensor> reference = rerunPerLayer(method, spec, arena);
                assertEquals(reference.keySet(), incremental.keySet());
                for (String name : reference.keySet()) {
                    double differ = differing(reference.get(name), incremental.get(name));
                    assertTrue(differ < 1e-3, method.name() + " " + spec + ": " + name + " differs in " + differ);
                }
                // Layer 1 saw layer 0 pruned: its weights differ from a one-shot calibration's.
                Map<String, Tensor> oneShot = new CalibratedModelPruner<>(
                        () -> new LlamaCalibrationPass(model, ENGINE, WINDOWS), ENGINE, method, spec, Mode.ONE_SHOT)
                        .prune(model.linears(), arena);
                String firstOfLayer0 = model.linearsByLayer().get(0).getFirst().name();
                String firstOfLayer1 = model.linearsByLayer().get(1).getFirst().name();
                assertTrue(differing(oneShot.get(firstOfLayer0), incremental.get(firstOfLayer0)) < 1e-3);
                double layer1 = differing(oneShot.get(firstOfLayer1), incremental.get(firstOfLayer1));
                assertTrue(layer1 > 0.01, "layer 1 calibrated on pruned inputs: " + layer1);
            }
        }
    }

    /**
     * Fraction of weights that differ beyond float noise. Not bit-exact equality: the Vector API
     * kernels sum in another order before C2 compiles them than after, which can move a weight
     * in its last bits and flip a near-tie.
     */
    private static double differing(Tensor a, Tensor b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        long differ = 0;
        for (int i = 0; i < x.length; i++) {
            differ += Math.abs(x[i] - y[i]) > 1e-5f * (1 + Math.abs(x[i])) ? 1 : 0;
        }
        return (double) differ / x.length;
    }

    /** The quadratic reference: per decoder layer, every window through the whole model pruned so far. */
    private static <S> Map<String, Tensor> rerunPerLayer(LayerPruner<S> method, PruneSpec spec, Arena arena) {
        Map<String, Tensor> pruned = new LinkedHashMap<>();
        for (List<Linear> layer : model.linearsByLayer()) {
            LlamaModel soFar = model.withLinearWeights(pruned);
            Set<String> names = new HashSet<>(layer.stream().map(Linear::name).toList());
            PerLayerStats<S> stats = new PerLayerStats<>((name, in) -> method.statistics().create(arena, name, in),
                    (s, x) -> method.statistics().add(ENGINE, s, x));
            for (int[] w : WINDOWS) {
                soFar.forward(ENGINE, soFar.newCache(w.length), w, (name, x) -> {
                    if (names.contains(name)) {
                        stats.observe(name, x);
                    }
                });
            }
            for (Linear l : layer) {
                pruned.put(l.name(), method.prune(ENGINE, l.weight(), stats.get(l.name()), spec, arena).weights());
            }
        }
        return pruned;
    }

    @Test
    void oneRunOfEachLayerFeedsAllItsLinearLayersAndOneMoreCarriesItsOutputs() {
        int[] observed = new int[1];
        int[] advanced = new int[1];
        int[] inputsSeen = new int[1];
        LayerwisePass counting = new CountingPass(new LlamaCalibrationPass(model, ENGINE, WINDOWS), observed, advanced,
                inputsSeen);
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> pruned = new CalibratedModelPruner<>(() -> counting, ENGINE, new WandaPruner(),
                    PruneSpec.perRow(0.5), Mode.SEQUENTIAL).prune(model.linears(), arena);
            assertEquals(14, pruned.size());
        }
        assertEquals(2, observed[0], "one observing run per decoder layer");
        assertEquals(2, advanced[0], "one run with the pruned weights per decoder layer");
        assertEquals(2 * 7 * WINDOWS.length, inputsSeen[0], "seven linear inputs per window and layer");
    }

    @Test
    void onlyTheRequestedLayersArePrunedAndUnknownOnesAreNamed() {
        List<Linear> firstLayer = model.linearsByLayer().get(0);
        int[] observed = new int[1];
        int[] advanced = new int[1];
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> pruned = new CalibratedModelPruner<>(
                    () -> new CountingPass(new LlamaCalibrationPass(model, ENGINE, WINDOWS), observed, advanced,
                            new int[1]), ENGINE, new WandaPruner(), PruneSpec.perRow(0.5), Mode.SEQUENTIAL)
                    .prune(firstLayer, arena);
            assertEquals(firstLayer.stream().map(Linear::name).toList(), List.copyOf(pruned.keySet()));
            assertEquals(1, advanced[0], "no run past the last requested layer");
            Linear stranger = new Linear("model.layers.7.mlp.up_proj", firstLayer.getFirst().weight(), null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new CalibratedModelPruner<>(() -> new LlamaCalibrationPass(model, ENGINE, WINDOWS), ENGINE,
                            new WandaPruner(), PruneSpec.perRow(0.5), Mode.SEQUENTIAL).prune(List.of(stranger), arena));
            assertTrue(e.getMessage().contains("model.layers.7.mlp.up_proj"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new CalibratedModelPruner<>(
                () -> new LlamaCalibrationPass(model, ENGINE, WINDOWS), ENGINE, new dev.prune4j.prune.MagnitudePruner(),
                PruneSpec.perTensor(0.5), Mode.SEQUENTIAL), "magnitude needs no calibration");
    }

    /** Counts the runs of a pass and the linear inputs it shows. */
    private record CountingPass(LayerwisePass pass, int[] observed, int[] advanced, int[] inputs)
            implements LayerwisePass {
        @Override
        public List<List<Linear>> linearsByLayer() {
            return pass.linearsByLayer();
        }

        @Override
        public void observe(int layer, LinearInputObserver observer) {
            observed[0]++;
            pass.observe(layer, (name, x) -> {
                inputs[0]++;
                observer.observe(name, x);
            });
        }

        @Override
        public void advance(int layer, Map<String, Tensor> weights, LinearInputObserver observer) {
            advanced[0]++;
            pass.advance(layer, weights, observer);
        }

        @Override
        public CpuEngine engine() {
            return pass.engine();
        }

        @Override
        public int position() {
            return pass.position();
        }
    }
}
