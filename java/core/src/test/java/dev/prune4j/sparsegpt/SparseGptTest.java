package dev.prune4j.sparsegpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.calib.ReconstructionError;
import dev.prune4j.testing.SyntheticLayer;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.engine.Engine;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.Magnitude;
import dev.prune4j.prune.MagnitudeSelection;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.wanda.Wanda;
import java.lang.foreign.Arena;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class SparseGptTest {
    private final Engine engine = new CpuEngine(2);

    static Stream<PruneSpec> targets() {
        return Stream.of(PruneSpec.perTensor(0.5), PruneSpec.perRow(0.6), PruneSpec.nm(2, 4));
    }

    /**
     * Blocked F32 SparseGPT against the plain double-precision oracle. Tolerances: masks may differ
     * only where two scores are within F32 rounding of each other (here: at most 0.5 % of weights);
     * on rows whose masks agree, weights agree to 1e-5 of the largest weight (measured: masks equal,
     * differences about 4e-7 of the largest weight).
     */
    @ParameterizedTest
    @MethodSource("targets")
    void blockedF32MatchesTheUnblockedDoubleReference(PruneSpec target) {
        int out = 40;
        int in = 128;
        int block = 32;
        try (Arena arena = Arena.ofShared()) {
            Tensor x = SyntheticLayer.inputs(arena, "x", DType.F32, 512, in, 3, 20, 31);
            Tensor w = SyntheticLayer.weight(arena, "w", DType.F32, out, in, 32);
            HessianAccumulator h = HessianAccumulator.create(arena, "w", in);
            h.add(engine, x);
            LayerPruneResult got = SparseGpt.prune(engine, w, h, target,
                    SparseGpt.Options.DEFAULT.withBlockSize(block), arena);

            double[][] w0 = new double[out][in];
            double[][] h0 = new double[in][in];
            for (int r = 0; r < out; r++) {
                for (int j = 0; j < in; j++) {
                    w0[r][j] = w.getFloat((long) r * in + j);
                }
            }
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < in; j++) {
                    h0[i][j] = h.hessian().getFloat((long) i * in + j);
                }
            }
            ObsReference.Result ref = ObsReference.run(w0, h0, target, block, 0.01);

            int maskDiffs = 0;
            double worst = 0;
            double largest = 0;
            for (int r = 0; r < out; r++) {
                boolean rowAgrees = true;
                for (int j = 0; j < in; j++) {
                    if (got.mask().isKept((long) r * in + j) != ref.keep()[r][j]) {
                        maskDiffs++;
                        rowAgrees = false;
                    }
                }
                for (int j = 0; j < in && rowAgrees; j++) {
                    largest = Math.max(largest, Math.abs(ref.weights()[r][j]));
                    worst = Math.max(worst, Math.abs(ref.weights()[r][j] - got.weights().getFloat((long) r * in + j)));
                }
            }
            assertTrue(maskDiffs <= out * in / 200, maskDiffs + " mask differences");
            assertTrue(worst <= 1e-5 * largest, "max weight difference " + worst + " vs largest " + largest);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void exactCountsAndValidNmPatternsInEveryDtype(DType dtype) {
        int out = 24;
        int in = 96;
        try (Arena arena = Arena.ofShared()) {
            Tensor x = SyntheticLayer.inputs(arena, "x", dtype, 200, in, 2, 30, 41);
            Tensor w = SyntheticLayer.weight(arena, "w", dtype, out, in, 42);
            HessianAccumulator h = HessianAccumulator.create(arena, "w", in);
            h.add(engine, x);
            // Block of 40: the last block is narrower, and 0.37 * rows * 40 is not whole.
            SparseGpt.Options opts = SparseGpt.Options.DEFAULT.withBlockSize(40);
            LayerPruneResult perTensor = SparseGpt.prune(engine, w, h, PruneSpec.perTensor(0.37), opts, arena);
            assertEquals((long) Math.floor(0.37 * out * in), perTensor.mask().prunedCount());
            assertEquals(dtype, perTensor.weights().dtype());
            assertPrunedAreZero(perTensor);

            LayerPruneResult perRow = SparseGpt.prune(engine, w, h, PruneSpec.perRow(0.37), opts, arena);
            for (int r = 0; r < out; r++) {
                int pruned = 0;
                for (int j = 0; j < in; j++) {
                    pruned += perRow.mask().isKept((long) r * in + j) ? 0 : 1;
                }
                assertEquals((int) Math.floor(0.37 * in), pruned, "row " + r);
            }

            LayerPruneResult nm = SparseGpt.prune(engine, w, h, PruneSpec.nm(2, 4), opts, arena);
            for (long g = 0; g < (long) out * in / 4; g++) {
                int kept = 0;
                for (int j = 0; j < 4; j++) {
                    kept += nm.mask().isKept(g * 4 + j) ? 1 : 0;
                }
                assertEquals(2, kept, "group " + g);
            }
            assertPrunedAreZero(nm);
        }
    }

    private static void assertPrunedAreZero(LayerPruneResult result) {
        for (long i = 0; i < result.mask().size(); i++) {
            if (!result.mask().isKept(i)) {
                assertEquals(0f, result.weights().getFloat(i), "pruned weight " + i);
            }
        }
    }

    /** Magnitude, Wanda and SparseGPT on a layer whose inputs have a few loud channels. */
    @ParameterizedTest
    @MethodSource("orderingTargets")
    void reconstructionErrorOrdersSparseGptBelowWandaBelowMagnitude(PruneSpec target) {
        int out = 64;
        int in = 256;
        try (Arena arena = Arena.ofShared()) {
            for (long seed = 1; seed <= 3; seed++) {
                Tensor x = SyntheticLayer.inputs(arena, "x", DType.F32, 1024, in, 4, 40, 100 + seed);
                Tensor w = SyntheticLayer.weight(arena, "w", DType.F32, out, in, 200 + seed);
                HessianAccumulator h = HessianAccumulator.create(arena, "w", in);
                h.add(engine, x);
                ActivationStats stats = ActivationStats.create(arena, "w", in);
                stats.add(engine, x);

                Mask magnitudeMask = Magnitude.prune(engine, w, target);
                Tensor magnitude = Tensor.allocate(arena, "w", DType.F32, out, in);
                MagnitudeSelection.applyMask(engine, w, magnitudeMask, magnitude);
                double magnitudeError = ReconstructionError.of(engine, w, magnitude, h);
                double wandaError = Wanda.prune(engine, w, stats, target, h, arena).reconstructionError();
                double sparseGptError = SparseGpt.prune(engine, w, h, target, SparseGpt.Options.DEFAULT, arena)
                        .reconstructionError();
                assertTrue(sparseGptError < wandaError && wandaError < magnitudeError,
                        "seed " + seed + ": sparsegpt " + sparseGptError + ", wanda " + wandaError
                                + ", magnitude " + magnitudeError);
            }
        }
    }

    static Stream<PruneSpec> orderingTargets() {
        return Stream.of(PruneSpec.perRow(0.5), PruneSpec.nm(2, 4));
    }

    @Test
    void anIndefiniteHessianIsRetriedWithTenTimesTheDamping() {
        try (Arena arena = Arena.ofShared()) {
            // [[1, 1], [1, 1]] - 0.002 I: smallest eigenvalue -0.002, diagonal mean 0.998.
            Tensor hTensor = Tensor.ofFloats(arena, "w.hessian", DType.F32, new float[] {0.998f, 1f, 1f, 0.998f}, 2, 2);
            HessianAccumulator h = HessianAccumulator.of(hTensor, 10);
            Tensor w = Tensor.ofFloats(arena, "layer.weight", DType.F32, new float[] {1f, -2f, 3f, 0.5f}, 2, 2);
            SparseGpt.Options opts = SparseGpt.Options.DEFAULT.withPercDamp(1e-4);
            LayerPruneResult result = SparseGpt.prune(engine, w, h, PruneSpec.perRow(0.5), opts, arena);
            assertEquals(1e-2, result.dampingUsed(), 1e-12, "1e-4 failed, 1e-3 failed, 1e-2 worked");
            assertEquals(2, result.mask().prunedCount());
            assertEquals(0.998f, hTensor.getFloat(0), "the Hessian given is not modified");

            SparseGpt.Options oneRetry = new SparseGpt.Options(128, 1e-4, 1, true);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> SparseGpt.prune(engine, w, h, PruneSpec.perRow(0.5), oneRetry, arena));
            assertTrue(e.getMessage().contains("'layer.weight'") && e.getMessage().contains("not positive definite"),
                    e.getMessage());
        }
    }

    @Test
    void deadInputsZeroTheirWeights() {
        try (Arena arena = Arena.ofShared()) {
            Tensor x = SyntheticLayer.inputs(arena, "x", DType.F32, 64, 8, 0, 1, 51);
            for (int t = 0; t < 64; t++) {
                x.setFloat(t * 8L + 5, 0f); // input 5 is never active
            }
            HessianAccumulator h = HessianAccumulator.create(arena, "w", 8);
            h.add(engine, x);
            Tensor w = SyntheticLayer.weight(arena, "w", DType.F32, 4, 8, 52);
            LayerPruneResult result = SparseGpt.prune(engine, w, h, PruneSpec.perRow(0.25), SparseGpt.Options.DEFAULT, arena);
            for (int r = 0; r < 4; r++) {
                assertEquals(0f, result.weights().getFloat(r * 8L + 5));
            }
            assertEquals(w.getFloat(5) != 0, true, "the input weight tensor keeps its values");
        }
    }

    @Test
    void optionsRefuseWhatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> SparseGpt.Options.DEFAULT.withPercDamp(0));
        assertThrows(IllegalArgumentException.class, () -> SparseGpt.Options.DEFAULT.withPercDamp(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> SparseGpt.Options.DEFAULT.withPercDamp(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> SparseGpt.Options.DEFAULT.withBlockSize(0));
        assertThrows(IllegalArgumentException.class, () -> new SparseGpt.Options(128, 0.01, -1, true));
    }
}
