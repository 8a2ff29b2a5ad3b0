package dev.prune4j.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.DeviceBuffer;
import dev.prune4j.cuda.CudaGemmPlan.Backend;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.sparse.SparseLinear;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.testing.FastWeights;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Device memory and lifetime: many create/run/close cycles of GEMM plans and of {@link SparseLinear}
 * layers give back all their device memory; a plan outlived by its context fails in Java instead of
 * touching freed memory, and closes quietly; device buffers are aligned for the kernels' 16-byte
 * loads. The cycle count is the system property {@code prune4j.gpu.cycles} (1000; the GPU script's
 * compute-sanitizer stage runs a few). Skipped (reported as skipped) where no CUDA device is usable.
 */
@Tag("gpu")
class CudaLifetimeGpuTest {
    /** Free memory is read in pages; a leak of one plan per cycle would be hundreds of MiB. */
    private static final long SLACK_BYTES = 4L << 20;
    private static final int CYCLES = Integer.getInteger("prune4j.gpu.cycles", 1000);
    private static final int OUT = 256;
    private static final int IN = 512;
    /** Token counts cycled through: the decode kernel (1, 16) and the tensor-core GEMMs (64). */
    private static final int[] TOKENS = {1, 16, 64};

    private static GpuDevice device;
    private static CudaEngine gpu;

    @BeforeAll
    static void openDevice() {
        device = GpuDevice.open();
        gpu = device.engine();
    }

    @BeforeEach
    void requireDevice() {
        device.assumePresent();
    }

    @AfterAll
    static void closeDevice() {
        device.close();
    }

    @Test
    void planCyclesGiveBackTheirDeviceMemory() {
        CudaContext ctx = gpu.context();
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = FastWeights.twoFour(arena, DType.F16, OUT, IN, new Random(1));
            Sparse24 sw = Sparse24.compress(w, arena);
            int most = TOKENS[TOKENS.length - 1];
            try (DeviceBuffer x = ctx.allocate(2L * most * IN); DeviceBuffer y = ctx.allocate(2L * most * OUT)) {
                ctx.memset(x, 0, x.byteSize());
                // One cycle first: the context keeps what the first run creates (cuBLASLt handle and
                // workspace, timing events), which is not a leak.
                planCycle(ctx, w, sw, x, y, 0);
                ctx.synchronize();
                long before = ctx.memory().freeBytes();
                for (int i = 0; i < CYCLES; i++) {
                    planCycle(ctx, w, sw, x, y, i);
                }
                ctx.synchronize();
                long after = ctx.memory().freeBytes();
                assertTrue(before - after < SLACK_BYTES, CYCLES + " plan cycles kept " + (before - after)
                        + " bytes of device memory (free before " + before + ", after " + after + ")");
            }
        }
    }

    private static void planCycle(CudaContext ctx, Tensor w, Sparse24 sw, DeviceBuffer x, DeviceBuffer y, int i) {
        int tokens = TOKENS[i % TOKENS.length];
        try (CudaGemmPlan dense = CudaGemmPlan.dense(ctx, w, null); CudaGemmPlan sparse = CudaGemmPlan.sparse24(ctx, sw, null)) {
            dense.run(Backend.CUBLASLT, tokens, x, y);
            sparse.run(Backend.AUTO, tokens, x, y);
        }
    }

    @Test
    void sparseLinearCyclesGiveBackTheirDeviceMemory() {
        LinearKernels kernels = gpu.linearKernels();
        CudaContext ctx = gpu.context();
        Random rnd = new Random(2);
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = FastWeights.twoFour(arena, DType.BF16, OUT, IN, rnd);
            Sparse24 sw = Sparse24.compress(w, arena);
            Tensor[] xs = new Tensor[TOKENS.length];
            for (int t = 0; t < TOKENS.length; t++) {
                xs[t] = FastWeights.activations(arena, DType.BF16, TOKENS[t], IN, rnd);
            }
            layerCycle(kernels, w, sw, xs[0], arena);
            ctx.synchronize();
            long before = ctx.memory().freeBytes();
            for (int i = 0; i < CYCLES; i++) {
                try (Arena perCycle = Arena.ofConfined()) {
                    layerCycle(kernels, w, sw, xs[i % xs.length], perCycle);
                }
            }
            ctx.synchronize();
            long after = ctx.memory().freeBytes();
            assertTrue(before - after < SLACK_BYTES, CYCLES + " layer cycles kept " + (before - after)
                    + " bytes of device memory (free before " + before + ", after " + after + ")");
        }
    }

    private static void layerCycle(LinearKernels kernels, Tensor w, Sparse24 sw, Tensor x, Arena arena) {
        try (SparseLinear dense = SparseLinear.dense("cycle.dense", w, null, kernels);
                SparseLinear sparse = SparseLinear.sparse("cycle.sparse", sw, null, kernels)) {
            Tensor a = dense.forward(x, arena);
            Tensor b = sparse.forward(x, arena);
            assertEquals(a.numel(), b.numel());
        }
    }

    @Test
    void aPlanWhoseContextClosedFailsInJavaAndClosesQuietly() {
        CudaEngine other = CudaEngine.create(0);
        CudaContext ctx = other.context();
        CudaGemmPlan plan;
        DeviceBuffer x;
        DeviceBuffer y;
        SparseLinear layer;
        try (other; Arena arena = Arena.ofConfined()) {
            Tensor w = FastWeights.twoFour(arena, DType.F16, OUT, IN, new Random(3));
            Sparse24 sw = Sparse24.compress(w, arena);
            plan = CudaGemmPlan.sparse24(ctx, sw, null);
            x = ctx.allocate(2L * IN);
            y = ctx.allocate(2L * OUT);
            ctx.memset(x, 0, x.byteSize());
            plan.run(Backend.AUTO, 1, x, y);
            layer = SparseLinear.sparse("closed.layer", sw, null, other.linearKernels());
            Tensor input = FastWeights.activations(arena, DType.F16, 1, IN, new Random(4));
            layer.forward(input, arena);
            ctx.synchronize();

            other.close(); // closes the context, which closes its plans first

            assertTrue(ctx.isClosed());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> plan.run(Backend.AUTO, 1, x, y));
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> plan.resolve(Backend.AUTO, 1));
            assertThrows(IllegalStateException.class, () -> plan.tune(1, 3));
            assertThrows(IllegalStateException.class, () -> layer.forward(input, arena),
                    "a layer of a closed engine refuses to run");
        }
        assertDoesNotThrow(plan::close);
        assertDoesNotThrow(plan::close);
        assertDoesNotThrow(layer::close);
        assertDoesNotThrow(x::close);
        assertDoesNotThrow(y::close);
    }

    @Test
    void deviceBuffersAreAlignedForSixteenByteLoads() {
        CudaContext ctx = gpu.context();
        for (long bytes : new long[] {1, 3, 17, 4097, (1 << 20) + 1, 6}) {
            try (DeviceBuffer b = ctx.allocate(bytes)) {
                long address = b.pointer().address();
                assertEquals(0, address % 256, bytes + " bytes at 0x" + Long.toHexString(address));
                assertEquals(0, b.pointer().byteSize(), "a device pointer is a zero-length segment");
            }
        }
    }
}
