package dev.prune4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.calib.ReconstructionError;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.Kernel;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.mask.Mask;
import dev.prune4j.owl.OwlAllocation;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.refine.SparseSwaps;
import dev.prune4j.ria.Ria;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.testing.SyntheticLayer;
import dev.prune4j.wanda.Wanda;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RIA's scores, OWL's reductions and SparseSwaps' kernels of the CUDA engine against the CPU
 * engine's on random small layers, with the promises of prune4j.h: the score sum, the count and the
 * swaps (weights, gradient, mask, count) bit-identical; RIA's scores bit-identical where the column
 * factor is exact (exponents 0 and 2) and within one ulp otherwise; D H within F32 rounding.
 * Skipped (reported as skipped) where no CUDA device is usable.
 */
@Tag("gpu")
class CudaMethodKernelsGpuTest {
    private static GpuDevice device;
    private static CudaEngine gpu;
    private static CpuEngine cpu;

    @BeforeAll
    static void openDevice() {
        device = GpuDevice.open();
        gpu = device.engine();
        cpu = new CpuEngine(2);
    }

    @BeforeEach
    void requireDevice() {
        device.assumePresent();
    }

    @AfterAll
    static void closeDevice() {
        cpu.close();
        device.close();
    }

    @Test
    void theEngineListsTheMethodKernels() {
        assertTrue(gpu.kernels().containsAll(List.of(Kernel.RIA_SCORES, Kernel.SCORE_SUM, Kernel.COUNT_ABOVE,
                Kernel.MASK_SWAPS)), gpu.kernels().toString());
        assertEquals(CudaLibraries.available(CudaLibraries.Library.CUBLASLT), gpu.supports(Kernel.HESSIAN_PRODUCT),
                "the D H product is listed exactly when cuBLASLt loads: " + gpu.kernels());
    }

    static Stream<Arguments> riaLayers() {
        List<Arguments> out = new ArrayList<>();
        for (DType dtype : List.of(DType.F32, DType.F16, DType.BF16)) {
            for (double exponent : new double[] {0.5, 0, 2}) {
                out.add(Arguments.of(dtype, 70, 130, exponent));  // two row chunks, odd widths
                out.add(Arguments.of(dtype, 200, 64, exponent));  // four chunks, the last partial
            }
        }
        out.add(Arguments.of(DType.F32, 1, 5, 0.5));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}x{2} exponent {3}")
    @MethodSource("riaLayers")
    void riaScoresEqualTheCpus(DType dtype, int rows, int cols, double exponent) {
        try (Arena arena = Arena.ofShared(); EngineArena work = gpu.openArena()) {
            Tensor w = SyntheticLayer.weight(arena, "w", dtype, rows, cols, rows * 31L + cols);
            // A dead row and a dead input channel: their zero sums add 0, on both engines.
            for (int j = 0; j < cols; j++) {
                w.setFloat(j, 0f);
            }
            for (int r = 0; r < rows; r++) {
                w.setFloat((long) r * cols + cols - 1, 0f);
            }
            Tensor x = SyntheticLayer.inputs(arena, "x", DType.F32, 40, cols, 2, 25, cols);
            ActivationStats stats = ActivationStats.create(arena, "w", cols);
            stats.add(cpu, x);
            Tensor expected = Tensor.allocate(arena, "cpu", DType.F32, rows, cols);
            cpu.riaScores(w, stats.normSq(), stats.tokens(), exponent, expected);
            Tensor actual = Tensor.allocate(arena, "gpu", DType.F32, rows, cols);
            Tensor onDevice = work.outputFor(actual);
            gpu.riaScores(work.upload(w), work.upload(stats.normSq()), stats.tokens(), exponent, onDevice);
            work.download(onDevice, actual);
            boolean exactFactor = exponent == 0 || exponent == 2;
            int differ = 0;
            for (long i = 0; i < expected.numel(); i++) {
                float e = expected.getFloat(i);
                float a = actual.getFloat(i);
                if (Float.floatToRawIntBits(e) != Float.floatToRawIntBits(a)) {
                    differ++;
                    assertTrue(!exactFactor && Math.abs(a - e) <= Math.ulp(e),
                            "score " + i + ": cpu " + e + ", gpu " + a + " (exponent " + exponent + ")");
                }
            }
            assertTrue(differ <= expected.numel() / 100, differ + " scores differ by an ulp");
        }
    }

    @Test
    void scoreSumsAndCountsEqualTheCpus() {
        Random rnd = new Random(7);
        for (long n : new long[] {0, 1, 1000, (1 << 16) + 17, 3L * (1 << 16) + 5}) {
            try (Arena arena = Arena.ofShared(); EngineArena work = gpu.openArena()) {
                Tensor t = Tensor.allocate(arena, "scores", DType.F32, n);
                for (long i = 0; i < n; i++) {
                    // Magnitudes over many binades, so the order of the sum shows in its last bits.
                    t.setFloat(i, (float) (Math.exp(rnd.nextGaussian() * 4) * (rnd.nextInt(8) == 0 ? -1 : 1)));
                }
                if (n > 2) {
                    t.setFloat(n / 2, Float.NaN);  // never above a threshold
                    t.setFloat(n - 1, 1f);          // equal to a threshold: not above it
                }
                Tensor onDevice = work.upload(t);
                if (n <= 2) {
                    assertEquals(Double.doubleToRawLongBits(cpu.scoreSum(t)),
                            Double.doubleToRawLongBits(gpu.scoreSum(onDevice)), "sum of " + n);
                }
                for (float threshold : new float[] {1f, 0f, -1f, Float.NEGATIVE_INFINITY, 50f}) {
                    assertEquals(cpu.countAbove(t, threshold), gpu.countAbove(onDevice, threshold),
                            n + " scores above " + threshold);
                }
                if (n > 2) {
                    t.setFloat(n / 2, 3f);
                    onDevice = work.upload(t);
                    assertEquals(Double.doubleToRawLongBits(cpu.scoreSum(t)),
                            Double.doubleToRawLongBits(gpu.scoreSum(onDevice)), "sum of " + n);
                }
            }
        }
    }

    @Test
    void hessianProductIsTheCpusUpToFloatRounding() {
        Assumptions.assumeTrue(gpu.supports(Kernel.HESSIAN_PRODUCT), "cuBLASLt not found here");
        for (int[] shape : new int[][] {{37, 96}, {128, 64}, {5, 1}}) {
            int rows = shape[0];
            int n = shape[1];
            try (Arena arena = Arena.ofShared(); EngineArena work = gpu.openArena()) {
                Tensor d = SyntheticLayer.weight(arena, "d", DType.F32, rows, n, n);
                Tensor h = hessian(arena, n, 200, rows);
                Tensor expected = Tensor.allocate(arena, "cpu", DType.F32, rows, n);
                cpu.hessianProduct(d, h, expected);
                Tensor actual = Tensor.allocate(arena, "gpu", DType.F32, rows, n);
                Tensor onDevice = work.outputFor(actual);
                gpu.hessianProduct(work.upload(d), work.upload(h), onDevice);
                work.download(onDevice, actual);
                double bound = 0;
                for (long i = 0; i < h.numel(); i++) {
                    bound = Math.max(bound, Math.abs(h.getFloat(i)));
                }
                double maxD = 0;
                for (long i = 0; i < d.numel(); i++) {
                    maxD = Math.max(maxD, Math.abs(d.getFloat(i)));
                }
                // Two F32 sums of n products in different orders: each within n ulps of the bound.
                double tolerance = 2.0 * n * Math.ulp(1f) * bound * maxD * n;
                for (long i = 0; i < expected.numel(); i++) {
                    assertEquals(expected.getFloat(i), actual.getFloat(i), tolerance, rows + "x" + n + " at " + i);
                }
            }
        }
    }

    /** rows, n, group (n: whole rows), candidates, swaps a row: warp and serial forms, shared mask words. */
    static Stream<Arguments> swapConfigs() {
        return Stream.of(Arguments.of(24, 64, 64, 0, 12), Arguments.of(24, 64, 64, 5, 12),
                Arguments.of(24, 64, 64, 32, 12), Arguments.of(20, 100, 100, 40, 10), Arguments.of(19, 45, 45, 7, 10),
                Arguments.of(24, 64, 4, 0, 12), Arguments.of(17, 72, 8, 3, 12), Arguments.of(20, 48, 6, 0, 12),
                Arguments.of(30, 33, 33, 32, 10), Arguments.of(40, 8, 8, 2, 5), Arguments.of(300, 70, 70, 3, 1));
    }

    @ParameterizedTest(name = "{0}x{1} group {2} candidates {3} swaps {4}")
    @MethodSource("swapConfigs")
    void maskSwapsEqualTheCpusBitForBit(int rows, int n, int group, int candidates, int maxSwaps) {
        try (Arena arena = Arena.ofShared(); EngineArena work = gpu.openArena()) {
            Random rnd = new Random(rows * 1009L + n * 31L + group + candidates);
            Tensor w = SyntheticLayer.weight(arena, "w", DType.F32, rows, n, rnd.nextLong());
            Tensor h = hessian(arena, n, 3 * n, rnd.nextLong());
            Mask keep = Mask.allKept(rows, n);
            Tensor v = Tensor.allocate(arena, "v", DType.F32, rows, n);
            Tensor d = Tensor.allocate(arena, "d", DType.F32, rows, n);
            for (int r = 0; r < rows; r++) {
                double keepShare = group < n ? 0.5 : (r % 5) / 4.0;
                for (int g0 = 0; g0 < n; g0 += group) {
                    // N:M: exactly half of each group kept; whole rows: a share that varies by row.
                    List<Integer> order = new ArrayList<>();
                    for (int t = 0; t < group; t++) {
                        order.add(t);
                    }
                    java.util.Collections.shuffle(order, rnd);
                    for (int t = 0; t < group; t++) {
                        long at = (long) r * n + g0 + order.get(t);
                        boolean kept = group < n ? t < group / 2 : rnd.nextDouble() < keepShare;
                        float wv = w.getFloat(at);
                        // Kept weights moved a little, as a reconstruction (SparseGPT) leaves them.
                        float vv = kept ? wv + 0.01f * (float) rnd.nextGaussian() : 0f;
                        if (!kept) {
                            keep.prune(at);
                        }
                        v.setFloat(at, vv);
                        d.setFloat(at, wv - vv);
                    }
                }
            }
            Tensor g = Tensor.allocate(arena, "g", DType.F32, rows, n);
            cpu.hessianProduct(d, h, g);

            Tensor wDev = work.upload(w);
            Tensor vDev = work.upload(v);
            Tensor gDev = work.upload(g);
            Tensor hDev = work.upload(h);
            Mask keepGpu = keep.copy();
            long swapsGpu = gpu.maskSwaps(wDev, vDev, gDev, hDev, keepGpu, group, maxSwaps, candidates, 1e-6);
            long swapsCpu = cpu.maskSwaps(w, v, g, h, keep, group, maxSwaps, candidates, 1e-6);
            assertTrue(swapsCpu > 0, "the layer has something to swap");
            assertEquals(swapsCpu, swapsGpu, "swaps");
            assertEquals(keep, keepGpu, "mask");
            Tensor vBack = Tensor.allocate(arena, "v.gpu", DType.F32, rows, n);
            Tensor gBack = Tensor.allocate(arena, "g.gpu", DType.F32, rows, n);
            work.download(vDev, vBack);
            work.download(gDev, gBack);
            assertEquals(-1, v.data().mismatch(vBack.data()), "working weights bit-identical");
            assertEquals(-1, g.data().mismatch(gBack.data()), "gradient bit-identical");
        }
    }

    @Test
    void theMethodsRunOnTheGpuAsOnTheCpu() {
        try (Arena arena = Arena.ofShared()) {
            int out = 48;
            int in = 128;
            Tensor x = SyntheticLayer.inputs(arena, "x", DType.F16, 256, in, 3, 20, 5);
            Tensor w = SyntheticLayer.weight(arena, "layers.0.w", DType.F16, out, in, 6);
            ActivationStats stats = ActivationStats.create(arena, "w", in);
            stats.add(cpu, x);
            // OWL: Wanda's scores, their sum and count are bit-identical, so the outlier ratio is equal.
            assertEquals(OwlAllocation.outlierRatio(cpu, List.of(w), List.of(stats), 5),
                    OwlAllocation.outlierRatio(gpu, List.of(w), List.of(stats), 5));
            // RIA with exponent 2: an exact column factor, so equal scores and equal masks.
            Ria.Options exact = new Ria.Options(2);
            for (PruneSpec spec : List.of(PruneSpec.perRow(0.5), PruneSpec.nm(2, 4))) {
                assertEquals(Ria.mask(cpu, w, stats, spec, exact), Ria.mask(gpu, w, stats, spec, exact), spec.toString());
            }
            Assumptions.assumeTrue(gpu.supports(Kernel.HESSIAN_PRODUCT), "cuBLASLt not found here");
            HessianAccumulator hessian = HessianAccumulator.create(arena, "w", in);
            hessian.add(cpu, x);
            for (PruneSpec spec : List.of(PruneSpec.perRow(0.5), PruneSpec.nm(2, 4))) {
                LayerPruneResult start = Wanda.prune(cpu, w, stats, spec, null, arena);
                SparseSwaps.Refinement a = SparseSwaps.refine(cpu, w, start, hessian, spec, SparseSwaps.Options.DEFAULT,
                        arena);
                SparseSwaps.Refinement b = SparseSwaps.refine(gpu, w, start, hessian, spec, SparseSwaps.Options.DEFAULT,
                        arena);
                // The gradients start from two GEMMs that round apart, so a near tie may go either way;
                // the refinement must help as much on both engines.
                double before = ReconstructionError.of(cpu, w, start.weights(), hessian);
                double errCpu = ReconstructionError.of(cpu, w, a.result().weights(), hessian);
                double errGpu = ReconstructionError.of(cpu, w, b.result().weights(), hessian);
                assertTrue(b.swaps() > 0 && errGpu < before, spec + ": " + b.swaps() + " swaps, " + before + " -> " + errGpu);
                assertEquals(errCpu, errGpu, 1e-2 * before, spec.toString());
                assertEquals(a.result().mask().count(), b.result().mask().count(), "counts kept");
            }
        }
    }

    /** A positive definite F32 Hessian {@code X^T X / tokens + 0.01 I} of correlated inputs. */
    private static Tensor hessian(Arena arena, int n, int tokens, long seed) {
        Tensor x = SyntheticLayer.inputs(arena, "x", DType.F32, tokens, n, 2, 10, seed);
        HessianAccumulator acc = HessianAccumulator.create(arena, "h", n);
        acc.add(cpu, x);
        Tensor h = acc.hessian();
        for (int j = 0; j < n; j++) {
            long at = (long) j * n + j;
            h.setFloat(at, h.getFloat(at) + 0.01f);
        }
        return h;
    }
}
