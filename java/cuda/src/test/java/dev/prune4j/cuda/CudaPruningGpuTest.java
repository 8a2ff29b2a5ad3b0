package dev.prune4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.calib.ReconstructionError;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.Kernel;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.Magnitude;
import dev.prune4j.prune.MagnitudeSelection;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.sparsegpt.SparseGpt;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.testing.SyntheticLayer;
import dev.prune4j.wanda.Wanda;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
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
 * The calibration, Wanda and SparseGPT kernels of the CUDA engine against the CPU engine, through
 * the same facades a user calls: statistics within float noise, Wanda masks equal where the
 * scores are, SparseGPT masks within 0.5 % and weights within 1e-4 of the largest weight, the
 * damping retry, non-finite inputs named. Skipped (reported as skipped) where no CUDA device is usable.
 */
@Tag("gpu")
class CudaPruningGpuTest {
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

    static Stream<Arguments> layers() {
        List<Arguments> out = new ArrayList<>();
        for (DType dtype : List.of(DType.F16, DType.BF16, DType.F32)) {
            out.add(Arguments.of(dtype, 96, 256, 0));   // random inputs
            out.add(Arguments.of(dtype, 130, 384, 6));  // a few outlier channels, odd row count
        }
        return out.stream();
    }

    @Test
    void theEngineHasEveryKernelWhenItsLibrariesLoad() {
        assertTrue(gpu.kernels().containsAll(List.of(Kernel.SQUARED_NORMS, Kernel.WANDA_SCORES, Kernel.OBS_SCORES,
                Kernel.OBS_BLOCK)), gpu.kernels().toString());
        Assumptions.assumeTrue(gpu.kernels().contains(Kernel.CHOLESKY_INVERSE)
                && gpu.kernels().contains(Kernel.HESSIAN_UPDATE), "cuBLASLt or cuSOLVER not found here");
    }

    @ParameterizedTest(name = "{0} {1}x{2} outliers {3}")
    @MethodSource("layers")
    void statisticsAgreeWithTheCpu(DType dtype, int out, int in, int outliers) {
        try (Arena arena = Arena.ofShared(); EngineArena device = gpu.openArena()) {
            Tensor x = SyntheticLayer.inputs(arena, "x", dtype, 300, in, outliers, 30, in + outliers);
            ActivationStats onCpu = ActivationStats.create(arena, "l", in);
            onCpu.add(cpu, x);
            ActivationStats onGpu = ActivationStats.create(device, "l", in);
            onGpu.add(gpu, x);
            Tensor norms = Tensor.allocate(arena, "n", DType.F32, in);
            device.download(onGpu.normSq(), norms);
            for (int j = 0; j < in; j++) {
                float e = onCpu.normSq().getFloat(j);
                assertEquals(e, norms.getFloat(j), Math.ulp(e), "column " + j);
            }
            Assumptions.assumeTrue(gpu.supports(Kernel.HESSIAN_UPDATE), "cuBLASLt not found here");
            HessianAccumulator hCpu = HessianAccumulator.create(arena, "l", in);
            HessianAccumulator hGpu = HessianAccumulator.create(device, "l", in);
            for (int batch = 0; batch < 3; batch++) {
                hCpu.add(cpu, x);
                hGpu.add(gpu, x);
            }
            Tensor h = Tensor.allocate(arena, "h", DType.F32, in, in);
            device.download(hGpu.hessian(), h);
            double max = 0;
            for (long i = 0; i < h.numel(); i++) {
                max = Math.max(max, Math.abs(hCpu.hessian().getFloat(i)));
            }
            for (int a = 0; a < in; a++) {
                for (int b = 0; b < in; b++) {
                    long at = (long) a * in + b;
                    assertEquals(hCpu.hessian().getFloat(at), h.getFloat(at), 1e-5 * max, "H[" + a + "][" + b + "]");
                    assertEquals(h.getFloat(at), h.getFloat((long) b * in + a), "H is exactly symmetric");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2} outliers {3}")
    @MethodSource("layers")
    void wandaMasksEqualTheCpusBecauseTheScoresDo(DType dtype, int out, int in, int outliers) {
        try (Arena arena = Arena.ofShared()) {
            Tensor w = SyntheticLayer.weight(arena, "layers.0.w", dtype, out, in, out);
            Tensor x = SyntheticLayer.inputs(arena, "x", dtype, 200, in, outliers, 30, out);
            ActivationStats stats = ActivationStats.create(arena, "w", in);
            stats.add(cpu, x);
            assertEquals(-1, Wanda.scores(cpu, w, stats, arena).data().mismatch(Wanda.scores(gpu, w, stats, arena).data()),
                    "scores are bit-identical");
            for (PruneSpec spec : List.of(PruneSpec.perRow(0.5), PruneSpec.perTensor(0.37), PruneSpec.nm(2, 4))) {
                LayerPruneResult a = Wanda.prune(cpu, w, stats, spec, null, arena);
                LayerPruneResult b = Wanda.prune(gpu, w, stats, spec, null, arena);
                assertEquals(a.mask(), b.mask(), spec.toString());
                assertEquals(-1, a.weights().data().mismatch(b.weights().data()), spec.toString());
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2} outliers {3}")
    @MethodSource("layers")
    void sparseGptAgreesWithTheCpuWithinFloatNoise(DType dtype, int out, int in, int outliers) {
        Assumptions.assumeTrue(gpu.kernels().containsAll(SparseGpt.KERNELS), "cuBLASLt or cuSOLVER not found here");
        try (Arena arena = Arena.ofShared()) {
            Tensor w = SyntheticLayer.weight(arena, "layers.0.w", dtype, out, in, 7L * out);
            Tensor x = SyntheticLayer.inputs(arena, "x", DType.F32, 512, in, outliers, 30, 11L * out);
            HessianAccumulator h = HessianAccumulator.create(arena, "w", in);
            h.add(cpu, x);
            for (PruneSpec spec : List.of(PruneSpec.perTensor(0.5), PruneSpec.perRow(0.5), PruneSpec.nm(2, 4))) {
                LayerPruneResult a = SparseGpt.prune(cpu, w, h, spec, SparseGpt.Options.DEFAULT, arena);
                LayerPruneResult b = SparseGpt.prune(gpu, w, h, spec, SparseGpt.Options.DEFAULT, arena);
                assertEquals(a.mask().prunedCount(), b.mask().prunedCount(), spec + ": exact counts on both");
                double differ = (double) a.mask().andNot(b.mask()).count() / a.mask().size();
                assertTrue(differ <= 0.005, spec + ": masks differ in " + differ);
                double max = 0;
                for (long i = 0; i < a.weights().numel(); i++) {
                    max = Math.max(max, Math.abs(a.weights().getFloat(i)));
                }
                int far = 0;
                for (long i = 0; i < a.weights().numel(); i++) {
                    if (a.mask().isKept(i) == b.mask().isKept(i)
                            && Math.abs(a.weights().getFloat(i) - b.weights().getFloat(i)) > 1e-4 * max) {
                        far++;
                    }
                }
                assertTrue(far <= a.weights().numel() * 0.005, spec + ": " + far + " weights beyond 1e-4 of the largest");
                assertEquals(a.reconstructionError(), b.reconstructionError(), 1e-3 * a.reconstructionError(), spec.toString());
            }
        }
    }

    @Test
    void aHessianThatIsNotPositiveDefiniteIsRetriedWithMoreDampingAndThenRefused() {
        Assumptions.assumeTrue(gpu.kernels().containsAll(SparseGpt.KERNELS), "cuBLASLt or cuSOLVER not found here");
        try (Arena arena = Arena.ofShared()) {
            int in = 64;
            Tensor w = SyntheticLayer.weight(arena, "layers.1.w", DType.F16, 32, in, 3);
            // Rank one: positive semi-definite, singular; damping makes it definite.
            Tensor x = SyntheticLayer.inputs(arena, "x", DType.F32, 1, in, 0, 1, 4);
            HessianAccumulator h = HessianAccumulator.create(arena, "w", in);
            h.add(cpu, x);
            LayerPruneResult r = SparseGpt.prune(gpu, w, h, PruneSpec.perRow(0.5), SparseGpt.Options.DEFAULT, arena);
            assertEquals(32L * 32, r.mask().prunedCount());
            Tensor negative = Tensor.allocate(arena, "layers.1.w.hessian", DType.F32, in, in);
            for (int j = 0; j < in; j++) {
                negative.setFloat((long) j * in + j, j == 5 ? -1f : 1f);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparseGpt.prune(gpu, w,
                    HessianAccumulator.of(negative, 10), PruneSpec.perRow(0.5),
                    SparseGpt.Options.DEFAULT.withPercDamp(1e-6), arena));
            assertTrue(e.getMessage().contains("layers.1.w") && e.getMessage().contains("positive"), e.getMessage());
        }
    }

    @Test
    void nonFiniteCalibrationInputsAreRefusedNamingTheTensor() {
        try (Arena arena = Arena.ofShared(); EngineArena device = gpu.openArena()) {
            Tensor x = SyntheticLayer.inputs(arena, "model.layers.3.mlp.up_proj.inputs", DType.F16, 40, 128, 0, 1, 5);
            x.setFloat(1000, Float.POSITIVE_INFINITY);
            ActivationStats stats = ActivationStats.create(device, "up", 128);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stats.add(gpu, x));
            assertTrue(e.getMessage().contains("model.layers.3.mlp.up_proj.inputs"), e.getMessage());
            assertTrue(e.getMessage().contains("flat index 1000"), e.getMessage());
            Assumptions.assumeTrue(gpu.supports(Kernel.HESSIAN_UPDATE), "cuBLASLt not found here");
            HessianAccumulator h = HessianAccumulator.create(device, "up", 128);
            IllegalArgumentException he = assertThrows(IllegalArgumentException.class, () -> h.add(gpu, x));
            assertTrue(he.getMessage().contains("model.layers.3.mlp.up_proj.inputs"), he.getMessage());
        }
    }

    @Test
    void globalMagnitudeKeepsTheSelectionResidentAndEqualsTheCpu() {
        try (Arena arena = Arena.ofShared()) {
            List<Tensor> tensors = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                tensors.add(SyntheticLayer.weight(arena, "layers." + i + ".w", DType.F16, 64 + i, 256, i));
            }
            assertEquals(Magnitude.pruneGlobal(cpu, tensors, null, 0.6), Magnitude.pruneGlobal(gpu, tensors, null, 0.6));
        }
    }

    @Test
    void reconstructionErrorsAgree() {
        Assumptions.assumeTrue(gpu.supports(Kernel.QUADRATIC_FORM), "cuBLASLt not found here");
        try (Arena arena = Arena.ofShared()) {
            Tensor w = SyntheticLayer.weight(arena, "w", DType.BF16, 100, 256, 9);
            Tensor x = SyntheticLayer.inputs(arena, "x", DType.F32, 300, 256, 4, 20, 10);
            HessianAccumulator h = HessianAccumulator.create(arena, "w", 256);
            h.add(cpu, x);
            Mask keep = Magnitude.pruneNm(cpu, w, NmPattern.TWO_FOUR);
            Tensor pruned = Tensor.allocate(arena, "p", DType.BF16, 100, 256);
            MagnitudeSelection.applyMask(cpu, w, keep, pruned);
            double a = ReconstructionError.of(cpu, w, pruned, h);
            double b = ReconstructionError.of(gpu, w, pruned, h);
            assertEquals(a, b, 1e-5 * a);
            assertFalse(Double.isNaN(b));
        }
    }
}
