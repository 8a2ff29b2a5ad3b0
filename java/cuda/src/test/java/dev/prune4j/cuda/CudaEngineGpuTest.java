package dev.prune4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.Kernel;
import dev.prune4j.engine.UnsupportedKernelException;
import dev.prune4j.mask.KeySpace;
import dev.prune4j.mask.RadixPass;
import dev.prune4j.mask.ThresholdMask;
import dev.prune4j.bindings.DeviceBuffer;
import dev.prune4j.bindings.Prune4jException;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.MagnitudeSelection;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every CUDA kernel against its CPU twin: masks must be bit-identical, histograms and tie counts
 * equal, NaN rejected the same way. Skipped (reported as skipped) where no CUDA device is usable.
 */
@Tag("gpu")
class CudaEngineGpuTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static GpuDevice device;
    private static CudaEngine gpu;
    private static EngineArena gpuArena;
    private static CpuEngine cpu;
    private static Arena arena;

    @BeforeAll
    static void openDevice() {
        device = GpuDevice.open();
        gpu = device.engine();
        if (gpu != null) {
            gpuArena = gpu.openArena();
            cpu = new CpuEngine(2);
            arena = Arena.ofShared();
        }
    }

    /** Per test rather than per class, so that every test is reported as skipped without a GPU. */
    @BeforeEach
    void requireDevice() {
        device.assumePresent();
    }

    @AfterAll
    static void closeDevice() {
        if (gpu != null) {
            gpuArena.close();
            cpu.close();
            arena.close();
        }
        device.close();
    }

    /** {@code t} on the device: kernels take engine tensors. */
    private static Tensor up(Tensor t) {
        return gpuArena.upload(t);
    }

    @Test
    void deviceTensorsThrowOnHostAccessAndAfterTheirArenaCloses() {
        Tensor host = tensor("w", DType.F16, Values.TIES, 5, 4, 8);
        Tensor onDevice;
        try (EngineArena work = gpu.openArena()) {
            onDevice = work.upload(host);
            assertEquals(gpu.device(), onDevice.device());
            assertEquals(0, onDevice.data().byteSize(), "a device tensor's segment is zero-length");
            assertEquals(host.byteSize(), onDevice.byteSize());
            assertThrows(IllegalStateException.class, () -> onDevice.getFloat(0));
            assertThrows(IllegalArgumentException.class, () -> cpu.pruneNm(onDevice, 2, 4),
                    "the CPU engine refuses a device tensor");
        }
        assertThrows(IllegalStateException.class, () -> gpu.pruneNm(onDevice, 2, 4),
                "a tensor of a closed arena is refused before it reaches a kernel");
    }

    @Test
    void theEngineListsOnlyTheKernelsItHas() {
        assertTrue(gpu.supports(Kernel.PRUNE_NM));
        assertTrue(!gpu.supports(Kernel.WANDA_SCORES));
        Tensor x = tensor("x", DType.F32, Values.TIES, 3, 4, 8);
        assertThrows(UnsupportedKernelException.class, () -> gpu.wandaScores(up(x), up(x), 1, up(x)));
    }

    /** How element values are drawn. */
    enum Values {
        /** Any bit pattern but NaN: subnormals, zeros of both signs, infinities, huge values. */
        RAW_BITS,
        /** A handful of magnitudes, so nearly every element ties with many others. */
        TIES,
        /** Mostly (signed) zeros. */
        ZEROS
    }

    static Tensor tensor(String name, DType dtype, Values values, long seed, long... shape) {
        Tensor t = Tensor.allocate(arena, name, dtype, shape);
        Random r = new Random(seed);
        float[] few = {0f, -0f, 0.5f, -0.5f, 1f, -1f, 2f, 1e-3f};
        for (long i = 0; i < t.numel(); i++) {
            switch (values) {
                case RAW_BITS -> {
                    if (dtype == DType.F32) {
                        int bits;
                        do {
                            bits = r.nextInt();
                        } while ((bits & 0x7FFFFFFF) > 0x7F800000);
                        t.data().setAtIndex(I32, i, bits);
                    } else {
                        int infinity = dtype == DType.F16 ? 0x7C00 : 0x7F80;
                        int bits;
                        do {
                            bits = r.nextInt(1 << 16);
                        } while ((bits & 0x7FFF) > infinity);
                        t.data().setAtIndex(I16, i, (short) bits);
                    }
                }
                case TIES -> t.setFloat(i, few[r.nextInt(few.length)]);
                case ZEROS -> t.setFloat(i, r.nextInt(10) == 0 ? (float) r.nextGaussian() : (r.nextBoolean() ? 0f : -0f));
            }
        }
        return t;
    }

    static Mask randomMask(long seed, long... shape) {
        Mask m = Mask.allKept(shape);
        Random r = new Random(seed);
        for (long i = 0; i < m.size(); i++) {
            if (r.nextInt(3) == 0) {
                m.prune(i);
            }
        }
        return m;
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        long[][] shapes = {{1}, {63}, {64}, {65}, {7, 13}, {33, 100}, {3, 4097}, {257, 129}, {100003}};
        long seed = 1;
        for (DType d : List.of(DType.F32, DType.F16, DType.BF16)) {
            for (Values v : Values.values()) {
                for (long[] shape : shapes) {
                    out.add(Arguments.of(d, v, shape, seed++));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void histogramsMatchInEveryKeySpaceAndPass(DType dtype, Values values, long[] shape, long seed) {
        Tensor t = tensor("w", dtype, values, seed, shape);
        Mask live = randomMask(seed + 1000, shape);
        for (KeySpace keys : List.of(KeySpace.forDType(dtype), KeySpace.F32_BITS)) {
            for (Mask m : Arrays.asList(null, live)) {
                int[] digits = keys.digitBits();
                int shift = keys.width() - digits[0];
                RadixPass first = new RadixPass(shift, digits[0], 0);
                long[] expected = new long[first.buckets()];
                long[] actual = new long[first.buckets()];
                cpu.magnitudeHistogram(t, m, keys, first, expected);
                gpu.magnitudeHistogram(up(t), m, keys, first, actual);
                assertArrayEquals(expected, actual, keys + " first pass");
                if (digits.length > 1) {
                    // A later pass under the prefix of the most populated first digit.
                    int busiest = 0;
                    for (int b = 0; b < expected.length; b++) {
                        if (expected[b] > expected[busiest]) {
                            busiest = b;
                        }
                    }
                    RadixPass second = new RadixPass(shift - digits[1], digits[1], busiest);
                    long[] e2 = new long[second.buckets()];
                    long[] a2 = new long[second.buckets()];
                    cpu.magnitudeHistogram(t, m, keys, second, e2);
                    gpu.magnitudeHistogram(up(t), m, keys, second, a2);
                    assertArrayEquals(e2, a2, keys + " second pass");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void pruneBelowMatchesWithTies(DType dtype, Values values, long[] shape, long seed) {
        Tensor t = tensor("w", dtype, values, seed, shape);
        Mask live = randomMask(seed + 2000, shape);
        KeySpace keys = KeySpace.forDType(dtype);
        for (Mask m : Arrays.asList(null, live)) {
            long liveCount = m == null ? t.numel() : m.count();
            for (long k : new long[] {0, 1, liveCount / 3, liveCount / 2, liveCount - 1, liveCount}) {
                if (k < 0) {
                    continue;
                }
                MagnitudeSelection.Threshold th = MagnitudeSelection.findThreshold(cpu, List.of(t),
                        m == null ? null : List.of(m), keys, k);
                for (long ties : new long[] {th.tiesToPrune(), th.tiesToPrune() + 1_000_000, 0}) {
                    ThresholdMask expected = cpu.pruneBelow(t, m, keys, th.key(), ties);
                    ThresholdMask actual = gpu.pruneBelow(up(t), m, keys, th.key(), ties);
                    assertEquals(expected.mask(), actual.mask(), "k=" + k + " ties=" + ties);
                    assertEquals(expected.tiesPruned(), actual.tiesPruned(), "k=" + k + " ties=" + ties);
                }
            }
        }
    }

    @Test
    void globalSelectionAcrossTensorsMatches() {
        List<Tensor> tensors = List.of(tensor("a", DType.F16, Values.TIES, 1, 33, 100),
                tensor("b", DType.F16, Values.RAW_BITS, 2, 65),
                tensor("c", DType.F16, Values.ZEROS, 3, 7, 13));
        List<Tensor> mixed = List.of(tensors.get(0), tensor("d", DType.BF16, Values.TIES, 4, 3, 4097),
                tensor("e", DType.F32, Values.RAW_BITS, 5, 1000));
        for (List<Tensor> ts : List.of(tensors, mixed)) {
            long total = ts.stream().mapToLong(Tensor::numel).sum();
            for (long k : new long[] {0, 1, total / 2, total - 1, total}) {
                assertEquals(MagnitudeSelection.pruneSmallest(cpu, ts, null, k),
                        MagnitudeSelection.pruneSmallest(gpu, ts, null, k), "k=" + k);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void perRowSelectionMatches(DType dtype, Values values, long[] shape, long seed) {
        Tensor t = tensor("w", dtype, values, seed, shape);
        Mask live = randomMask(seed + 3000, shape);
        int cols = (int) t.cols();
        for (Mask m : Arrays.asList(null, live)) {
            for (int perRow : new int[] {0, 1, cols / 3, cols / 2, cols - 1, cols}) {
                if (perRow < 0) {
                    continue;
                }
                assertEquals(cpu.pruneSmallestPerRow(t, m, perRow), gpu.pruneSmallestPerRow(up(t), m, perRow),
                        "perRow=" + perRow + (m == null ? "" : " with live mask"));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}:{3}")
    @MethodSource("nmCases")
    void nmMatches(DType dtype, Values values, int n, int m, long rows) {
        Tensor t = tensor("w", dtype, values, 31L * n + m, rows, 3L * m * 7);
        assertEquals(cpu.pruneNm(t, n, m), gpu.pruneNm(up(t), n, m), n + ":" + m);
    }

    static Stream<Arguments> nmCases() {
        List<Arguments> out = new ArrayList<>();
        int[][] patterns = {{2, 4}, {1, 4}, {3, 4}, {4, 8}, {1, 3}, {2, 5}, {8, 32}, {16, 48}};
        for (DType d : List.of(DType.F32, DType.F16, DType.BF16)) {
            for (Values v : Values.values()) {
                for (int[] p : patterns) {
                    out.add(Arguments.of(d, v, p[0], p[1], 5L));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void applyMaskMatchesInPlaceAndNot(DType dtype, Values values, long[] shape, long seed) {
        Tensor src = tensor("w", dtype, values, seed, shape);
        Mask keep = randomMask(seed + 4000, shape);
        Tensor expected = Tensor.allocate(arena, "cpu", dtype, shape);
        Tensor actual = Tensor.allocate(arena, "gpu", dtype, shape);
        cpu.applyMask(src, keep, expected);
        try (EngineArena work = gpu.openArena()) {
            Tensor out = work.outputFor(actual);
            gpu.applyMask(work.upload(src), keep, out);
            work.download(out, actual);
            assertEquals(expected.data().mismatch(actual.data()), -1L);
            Tensor inPlace = work.upload(src);
            gpu.applyMask(inPlace, keep, inPlace);
            Tensor back = Tensor.allocate(arena, "back", dtype, shape);
            work.download(inPlace, back);
            assertEquals(expected.data().mismatch(back.data()), -1L);
        }
        // The facade moves host tensors itself, in place too.
        Tensor viaFacade = src.copy(arena);
        MagnitudeSelection.applyMask(gpu, viaFacade, keep, viaFacade);
        assertEquals(expected.data().mismatch(viaFacade.data()), -1L);
    }

    @Test
    void nanIsRejectedByEveryKernelNamingTheTensor() {
        for (DType dtype : List.of(DType.F32, DType.F16, DType.BF16)) {
            Tensor t = tensor("layers.0.nan", dtype, Values.TIES, 7, 9, 64);
            t.setFloat(130, Float.NaN);
            t.setFloat(400, Float.NaN);
            KeySpace keys = KeySpace.forDType(dtype);
            RadixPass pass = new RadixPass(keys.width() - keys.digitBits()[0], keys.digitBits()[0], 0);
            List<Runnable> calls = List.of(
                    () -> gpu.magnitudeHistogram(up(t), null, keys, pass, new long[pass.buckets()]),
                    () -> gpu.pruneBelow(up(t), null, keys, 5, 3),
                    () -> gpu.pruneSmallestPerRow(up(t), null, 10),
                    () -> gpu.pruneNm(up(t), 2, 4));
            for (Runnable call : calls) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
                assertTrue(e.getMessage().contains("'layers.0.nan'"), e.getMessage());
                assertTrue(e.getMessage().contains("flat index 130"), e.getMessage());
            }
            // A NaN the live mask excludes is never looked at, as on the CPU.
            Mask live = Mask.allKept(9, 64);
            live.prune(130);
            live.prune(400);
            long[] expected = new long[pass.buckets()];
            long[] actual = new long[pass.buckets()];
            cpu.magnitudeHistogram(t, live, keys, pass, expected);
            gpu.magnitudeHistogram(up(t), live, keys, pass, actual);
            assertArrayEquals(expected, actual);
            assertEquals(cpu.pruneSmallestPerRow(t, live, 10), gpu.pruneSmallestPerRow(up(t), live, 10));
        }
    }

    @Test
    void deviceOutOfMemoryIsAnExceptionNotACrash() {
        long total = gpu.context().memory().totalBytes();
        Prune4jException e = assertThrows(Prune4jException.class, () -> {
            try (DeviceBuffer b = gpu.context().allocate(total * 4)) {
                b.byteSize();
            }
        });
        assertTrue(e.isOutOfMemory(), e.getMessage());
        assertTrue(e.getMessage().contains("cudaMalloc"), e.getMessage());
        // The engine still works afterwards.
        Tensor t = tensor("w", DType.F16, Values.TIES, 9, 4, 8);
        assertEquals(cpu.pruneNm(t, 2, 4), gpu.pruneNm(up(t), 2, 4));
    }

    @Test
    void aThousandCreateRunCloseCyclesLeakNoDeviceMemory() {
        Tensor t = tensor("w", DType.F16, Values.RAW_BITS, 11, 64, 256);
        Mask expected = cpu.pruneSmallestPerRow(t, null, 100);
        // Warm up first: the first cycles set up the runtime's pools.
        for (int i = 0; i < 10; i++) {
            try (CudaEngine e = CudaEngine.create(0)) {
                e.pruneSmallestPerRow(t, null, 100);
            }
        }
        long before = gpu.context().memory().freeBytes();
        for (int i = 0; i < 1000; i++) {
            try (CudaEngine e = CudaEngine.create(0)) {
                assertEquals(expected, e.pruneSmallestPerRow(t, null, 100));
                e.pruneBelow(t, null, KeySpace.F16_BITS, 0x3000, 5);
            }
        }
        long after = gpu.context().memory().freeBytes();
        // Other processes may use the device too; a leak of even 1 KiB per cycle would show.
        assertTrue(after >= before - (1L << 20), "free device memory fell from " + before + " to " + after);
    }
}
