package dev.prune4j.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.MiniLmFixture;
import dev.prune4j.model.bert.SentenceEmbedder;
import dev.prune4j.model.eval.CalibratedModelPruner.Mode;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.sparsegpt.SparseGptPruner;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.wanda.Wanda;
import dev.prune4j.wanda.WandaPruner;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Wanda and SparseGPT over the real MiniLM, calibrated on a few sentences. */
class CalibratedModelPrunerTest {
    private static final CpuEngine ENGINE = new CpuEngine(2);
    private static final List<String> CALIBRATION = List.of(
            "The quick brown fox jumps over the lazy dog near the river bank.",
            "A journey of a thousand miles begins with a single step, or so they say.",
            "She sells sea shells by the sea shore, and the shells she sells are surely sea shells.");
    private static SentenceEmbedder model;

    @BeforeAll
    static void setUp() throws IOException {
        model = MiniLmFixture.require();
    }

    @Test
    void wandaPrunesEveryLayerPerRowWithTheStatisticsOfThatLayer() {
        List<Linear> layers = model.encoder().linears();
        var pruner = CalibratedModelPruner.of(model, CALIBRATION, ENGINE, new WandaPruner(), PruneSpec.perRow(0.5),
                Mode.ONE_SHOT);
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> pruned = pruner.prune(layers, arena);
            assertEquals(36, pruned.size());
            for (Linear l : layers) {
                Tensor w = pruned.get(l.name());
                int in = l.inFeatures();
                for (int r = 0; r < l.outFeatures(); r += 97) {
                    assertEquals(in / 2, zerosInRow(w, r, in), l.name() + " row " + r);
                }
            }
            // The same as Wanda on statistics gathered by hand for one layer (here the MLP's second
            // linear, whose 1536 inputs differ from every other layer's): the names line up.
            Linear down = layers.get(5);
            var stats = new PerLayerStats<>((name, in) -> ActivationStats.create(arena, name, in),
                    (ActivationStats s, Tensor x) -> s.add(ENGINE, x));
            Calibration.run(model, model.encoder(), CALIBRATION, stats);
            Tensor expected = Wanda.prune(ENGINE, down.weight(), stats.get(down.name()), PruneSpec.perRow(0.5), null,
                    arena).weights();
            // Within float noise of the kernels (see below): a few near-tied weights may flip.
            assertTrue(maskDisagreement(expected, pruned.get(down.name())) < 1e-3, down.name());
        }
    }

    /**
     * Sequential calibration feeds each encoder layer the outputs of the pruned layers before it:
     * the first encoder layer sees the dense inputs either way, later ones do not. (Layer 0's
     * query, key and value inputs come straight from the embeddings and match bit for bit; the
     * inputs of its other linears come out of matrix kernels, whose float sums may round
     * differently before and after the JIT compiles them, which can flip a few near-tied masks.)
     */
    @Test
    void sequentialCalibrationDiffersFromOneShotOnlyAfterTheFirstEncoderLayer() {
        SparseGptPruner sparseGpt = new SparseGptPruner();
        PruneSpec target = PruneSpec.nm(2, 4);
        // Encoder layers 0 and 3 only (a subset keeps the test quick); layer 3 then sees the pruned layer 0.
        List<Linear> first = model.encoder().linearsByLayer().getFirst();
        List<Linear> fourth = model.encoder().linearsByLayer().get(3);
        List<Linear> layers = new java.util.ArrayList<>(first);
        layers.addAll(fourth);
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> sequential = CalibratedModelPruner.of(model, CALIBRATION, ENGINE, sparseGpt, target,
                    Mode.SEQUENTIAL).prune(layers, arena);
            Map<String, Tensor> oneShot = CalibratedModelPruner.of(model, CALIBRATION, ENGINE, sparseGpt, target,
                    Mode.ONE_SHOT).prune(layers, arena);
            assertEquals(12, sequential.size());
            for (Linear l : first.subList(0, 3)) {
                assertEquals(0.0, maskDisagreement(sequential.get(l.name()), oneShot.get(l.name())), l.name());
            }
            for (Linear l : first.subList(3, 6)) {
                assertTrue(maskDisagreement(sequential.get(l.name()), oneShot.get(l.name())) < 1e-3, l.name());
            }
            for (Linear l : fourth) {
                assertTrue(maskDisagreement(sequential.get(l.name()), oneShot.get(l.name())) > 0.02, l.name());
            }
            List<Linear> pruned = model.encoder().withLinearWeights(sequential).linears().stream()
                    .filter(l -> sequential.containsKey(l.name())).toList();
            assertEquals(0.5, PruneEval.zeroFraction(pruned), 1e-4);
        }
    }

    private static int zerosInRow(Tensor w, int row, int cols) {
        int zeros = 0;
        for (int j = 0; j < cols; j++) {
            zeros += w.getFloat((long) row * cols + j) == 0f ? 1 : 0;
        }
        return zeros;
    }

    /** Fraction of weights zero in one tensor and not in the other. */
    private static double maskDisagreement(Tensor a, Tensor b) {
        long differ = 0;
        for (long i = 0; i < a.numel(); i++) {
            differ += (a.getFloat(i) == 0f) != (b.getFloat(i) == 0f) ? 1 : 0;
        }
        return (double) differ / a.numel();
    }
}
