package dev.prune4j.owl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.LayerStatistics;
import dev.prune4j.prune.MagnitudePruner;
import dev.prune4j.prune.PruneCount;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.testing.SyntheticLayer;
import dev.prune4j.wanda.Wanda;
import dev.prune4j.wanda.WandaPruner;
import java.lang.foreign.Arena;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class OwlPrunerTest {
    private static final CpuEngine engine = new CpuEngine(2);

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void eachLayerIsPrunedByTheBaseToItsOwnSparsityAndTheModelToTheRatio() {
        try (Arena arena = Arena.ofShared()) {
            OwlAllocationTest.Model model = OwlAllocationTest.Model.of(arena, DType.BF16, 4);
            PruneSpec spec = PruneSpec.perRow(0.6);
            OwlPruner<ActivationStats> owl = OwlPruner.around(new WandaPruner(), OwlOptions.DEFAULT)
                    .allocate(engine, model.weights(), model.stats(), spec);
            assertEquals("owl-wanda", owl.name());
            assertEquals(List.of("model.layers.0", "model.layers.1", "model.layers.2", "model.layers.3"),
                    owl.plan().layers());
            long pruned = 0;
            long total = 0;
            long rows = 0;
            for (int l = 0; l < 4; l++) {
                PruneSpec layerSpec = owl.plan().layerSpecs().get(l);
                assertTrue(layerSpec instanceof PruneSpec.PerRow, "the base's scope is kept");
                for (int t = 0; t < 2; t++) {
                    Tensor w = model.weights().get(l).get(t);
                    ActivationStats s = model.stats().get(l).get(t);
                    LayerPruneResult r = owl.prune(engine, w, s, spec, arena);
                    assertEquals(Wanda.mask(engine, w, s, layerSpec), r.mask(), w.name());
                    assertEquals(w.rows() * PruneCount.of(layerSpec.targetSparsity(), w.cols()), r.mask().prunedCount());
                    pruned += r.mask().prunedCount();
                    total += w.numel();
                    rows += w.rows();
                }
            }
            assertTrue(pruned <= 0.6 * total && pruned > 0.6 * total - rows,
                    pruned + " of " + total + ": floor per row of a mean of exactly 0.6");
            assertTrue(owl.plan().describe().contains("model.layers.3"), owl.plan().describe());
        }
    }

    @Test
    void tensorsOutsideThePlanGetTheModelsSpecAndAnotherSpecIsRefused() {
        try (Arena arena = Arena.ofShared()) {
            OwlAllocationTest.Model model = OwlAllocationTest.Model.of(arena, DType.F32, 2);
            OwlPruner<Void> owl = OwlPruner.around(new MagnitudePruner(), OwlOptions.DEFAULT)
                    .allocate(engine, model.weights(), model.stats(), PruneSpec.perTensor(0.5));
            Tensor head = SyntheticLayer.weight(arena, "lm_head.weight", DType.F32, 8, 48, 9);
            assertEquals(PruneCount.of(0.5, head.numel()),
                    owl.prune(engine, head, null, PruneSpec.perTensor(0.5), arena).mask().prunedCount());
            String m = assertThrows(IllegalArgumentException.class,
                    () -> owl.prune(engine, head, null, PruneSpec.perTensor(0.7), arena)).getMessage();
            assertEquals("weight 'lm_head.weight': the OWL layer sparsities were allocated for 0.5 (tensor), not for"
                    + " 0.7 (tensor)", m);
        }
    }

    @Test
    void beforeAllocationItSaysWhatIsMissing() {
        try (Arena arena = Arena.ofShared()) {
            OwlPruner<ActivationStats> owl = OwlPruner.around(new WandaPruner(), OwlOptions.DEFAULT);
            assertFalse(owl.allocated());
            Tensor w = SyntheticLayer.weight(arena, "model.layers.0.mlp.up_proj.weight", DType.F32, 4, 8, 1);
            String m = assertThrows(IllegalStateException.class,
                    () -> owl.prune(engine, w, null, PruneSpec.perRow(0.5), arena)).getMessage();
            assertTrue(m.startsWith("owl-wanda: weight 'model.layers.0.mlp.up_proj.weight': the layer sparsities are"
                    + " not allocated yet"), m);
        }
    }

    @Test
    void owlMagnitudeNeedsCalibrationThoughMagnitudeDoesNot() {
        OwlPruner<Void> owl = OwlPruner.around(new MagnitudePruner(), OwlOptions.DEFAULT);
        assertTrue(owl.statistics().needsCalibration());
        assertEquals(PruneSpec.perTensor(0.5), owl.defaultSpec(0.5));
        assertTrue(owl.kernels().containsAll(OwlAllocation.KERNELS));
        assertEquals(LayerStatistics.ACTIVATION_NORMS, OwlPruner.around(new WandaPruner(), OwlOptions.DEFAULT)
                .statistics());
    }
}
