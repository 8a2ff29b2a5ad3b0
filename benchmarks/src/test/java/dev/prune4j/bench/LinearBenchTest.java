package dev.prune4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.sparse.DeviceTiming;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract {@link LinearBench} offers device kernels ({@link DeviceTiming}): after every forward
 * it synchronises, then reads the kernel time, and counts it only when measured. A recording wrapper
 * around the CPU kernels stands in for the CUDA ones.
 */
class LinearBenchTest {
    /** CPU kernels that log the calls a device implementation would see and report a fixed kernel time. */
    static final class RecordingKernels implements LinearKernels, DeviceTiming {
        final List<String> calls = new ArrayList<>();
        final LinearKernels cpu;
        long nanos;

        RecordingKernels(LinearKernels cpu, long nanos) {
            this.cpu = cpu;
            this.nanos = nanos;
        }

        @Override
        public String description() {
            return "recording";
        }

        @Override
        public Prepared prepareDense(Tensor w, Tensor bias) {
            Prepared layer = cpu.prepareDense(w, bias);
            return (x, y) -> {
                calls.add("dense");
                layer.forward(x, y);
            };
        }

        @Override
        public Prepared prepareSparse24(Sparse24 w, Tensor bias) {
            Prepared layer = cpu.prepareSparse24(w, bias);
            return (x, y) -> {
                calls.add("sparse24");
                layer.forward(x, y);
            };
        }

        @Override
        public void synchronize() {
            calls.add("synchronize");
        }

        @Override
        public long lastKernelNanos() {
            calls.add("lastKernelNanos");
            return nanos;
        }
    }

    private final CpuEngine cpu = new CpuEngine(1);
    private final LinearBench bench = new LinearBench();

    @AfterEach
    void close() {
        bench.tearDown();
        cpu.close();
        BenchWeights.release();
    }

    private LinearBench small() {
        bench.shape = "8x64";
        bench.tokens = 3;
        bench.dtype = "F16";
        bench.engine = "cpu";
        return bench;
    }

    @Test
    void deviceKernelsAreSynchronisedAndTheirTimeCounted() {
        RecordingKernels kernels = new RecordingKernels(cpu.linearKernels(), 2_500);
        small().prepare(kernels);
        KernelTime time = new KernelTime();
        bench.dense(time);
        bench.sparse24(time);
        assertEquals(List.of("dense", "synchronize", "lastKernelNanos", "sparse24", "synchronize", "lastKernelNanos"),
                kernels.calls);
        assertEquals(5_000, time.kernelNs);
        assertEquals(2, time.kernelCalls);

        kernels.nanos = -1; // not measured: not counted
        bench.dense(time);
        assertEquals(2, time.kernelCalls);
        time.reset();
        assertEquals(0, time.kernelNs + time.kernelCalls);
    }

    @Test
    void denseAndSparseLayersComputeTheSameProduct() {
        small().prepare(cpu.linearKernels());
        KernelTime time = new KernelTime();
        float[] dense = bench.dense(time).toFloatArray();
        float[] sparse = bench.sparse24(time).toFloatArray();
        assertEquals(3 * 8, dense.length);
        for (int i = 0; i < dense.length; i++) {
            assertEquals(dense[i], sparse[i], 1e-2f * Math.max(1f, Math.abs(dense[i])), "element " + i);
        }
        assertTrue(IntStream.range(0, dense.length).anyMatch(i -> dense[i] != 0), "a product that is not all zero");
        assertEquals(0, time.kernelCalls, "CPU kernels report no device time");
    }
}
