package dev.prune4j.bench;

import dev.prune4j.bench.report.GemmResult;
import dev.prune4j.bench.report.JsonLines;
import dev.prune4j.bench.shapes.BenchShapes;
import dev.prune4j.bench.timing.ByteLimit;
import dev.prune4j.bench.timing.HostBandwidth;
import dev.prune4j.bench.timing.LastLevelCache;
import dev.prune4j.bench.timing.PairedTimer;
import dev.prune4j.bench.timing.Stats;
import dev.prune4j.cuda.CudaEngine;
import dev.prune4j.cuda.CudaGemmPlan;
import dev.prune4j.engine.Engine;
import dev.prune4j.sparse.DeviceTiming;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.sparse.SparseLinear;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Dense vs 2:4 {@link SparseLinear#forward(Tensor, Tensor)} on an engine's {@link LinearKernels},
 * the cache-honest way ({@link PairedTimer}): both layers in one loop, alternating, each on rotating
 * copies of its weight, X and Y that together exceed twice the last-level cache (32 MiB of L3 on
 * the build machine, which a 4096 x 4096 F16 weight would otherwise fit), warm-up first, every call
 * timed alone, medians. The byte limit comes from a read bandwidth measured in the same run: on a
 * device {@link CudaGemmPlan#readBandwidth} once; on the CPU a Java streaming read of 1 GiB once
 * for the run, and per case the fastest of that and the same read again just before and just after
 * the case. This is what
 * {@code ./prune4j bench} runs for the {@code LinearBench} entries of a profile: JMH times one
 * benchmark method per trial and so cannot alternate dense and 2:4 within one.
 *
 * <p>Writes {@value GemmResult#FORMAT} JSON lines: a {@code device} line (bandwidth, cache), then
 * one {@code case} line per shape, dtype and token count as it finishes.
 */
final class LinearPairsBench {
    private static final int MAX_COPIES = 16;

    private final Engine engine;
    private final LinearKernels kernels;
    private final JsonLines out;
    private final PrintStream log;
    private final long cacheBytes;
    private final long bandwidthBytes;
    private double bandwidth;

    LinearPairsBench(Engine engine, JsonLines out, PrintStream log) {
        this(engine, out, log, HostBandwidth.LIMIT_BYTES);
    }

    /** {@code bandwidthBytes}: the host read for the byte limit (1 GiB; tests read less). */
    LinearPairsBench(Engine engine, JsonLines out, PrintStream log, long bandwidthBytes) {
        this.engine = engine;
        this.bandwidthBytes = bandwidthBytes;
        this.kernels = engine.linearKernels();
        this.out = out;
        this.log = log;
        this.cacheBytes = engine instanceof CudaEngine ? LastLevelCache.H200_L2_BYTES : LastLevelCache.cpuBytes();
    }

    /** Measures the bandwidth and writes the device line; call once before the cases. */
    void device() {
        Map<String, Object> d = out.line("device");
        d.put("available", true);
        d.put("description", engine.description());
        d.put("cache_bytes", cacheBytes);
        if (engine instanceof CudaEngine cuda) {
            float[] reads = CudaGemmPlan.readBandwidth(cuda.context(), 2L << 30, 10);
            double best = Double.MAX_VALUE;
            for (float r : reads) {
                best = Math.min(best, r);
            }
            bandwidth = (2L << 30) / (best / 1e3);
            d.put("gpu", cuda.context().deviceName() + " (" + cuda.context().capability() + ")");
            d.put("bandwidth_note", "fastest of 10 device reads of 2 GiB, L2 scrubbed before each");
        } else {
            int threads = Runtime.getRuntime().availableProcessors();
            HostBandwidth.Result r = HostBandwidth.measure(bandwidthBytes, threads, 8);
            bandwidth = r.bytesPerSecond();
            d.put("bandwidth_note", "fastest of 8 Java streaming reads of " + (bandwidthBytes >> 20) + " MiB on " + threads
                    + " threads");
            d.put("bandwidth_read_s", GpuGemmBench.list(r.seconds()));
        }
        d.put("bandwidth_gbs", GpuGemmBench.round(bandwidth / 1e9, 2));
        out.write(d);
        log.printf(Locale.ROOT, "linear pairs on %s: %.1f GB/s read bandwidth, last-level cache %d MiB%n",
                engine.description(), bandwidth / 1e9, cacheBytes >> 20);
    }

    /** One case: dense and 2:4 layers of {@code shape} in {@code dtype} at {@code tokens} tokens. */
    void measure(String shape, DType dtype, int tokens, PairedTimer.Settings settings) {
        int[] dims = BenchShapes.parse(shape);
        Map<String, Object> row = out.line("case");
        row.put("device", engine instanceof CudaEngine ? "cuda" : engine.name());
        row.put("engine", engine.description());
        row.put("layer", String.join(", ", BenchShapes.projectionsOf(shape).stream().map(p -> p.layer()).toList()));
        row.put("shape", shape);
        row.put("out", dims[0]);
        row.put("in", dims[1]);
        row.put("dtype", dtype.name());
        row.put("tokens", tokens);
        long t0 = System.nanoTime();
        try {
            double[] before = caseReads();
            measureInto(row, dims, dtype, tokens, settings, before);
        } catch (RuntimeException e) {
            row.put("error", String.valueOf(e.getMessage()));
            log.println("linear pairs " + shape + " " + dtype + " " + tokens + " tokens: " + e);
        }
        row.put("elapsed_s", GpuGemmBench.round((System.nanoTime() - t0) / 1e9, 2));
        out.write(row);
    }

    /**
     * On the CPU, the run's read again just before and just after each case: the memory of a shared
     * machine runs 25-43 GB/s from one minute to the next (2-core EPYC VM, measured), and a case's
     * byte limit takes the fastest of the run's read and these, so that it is never looser than the
     * memory was at any time around the case. The same size and count as the run's read: shorter
     * reads came out slower (256 MiB x 3: 21-25 GB/s while 1 GiB x 8 read 23-29), which would
     * loosen the limit. Null on a device, whose bandwidth is the run's.
     */
    private double[] caseReads() {
        if (engine instanceof CudaEngine) {
            return null;
        }
        return HostBandwidth.measure(bandwidthBytes, Runtime.getRuntime().availableProcessors(), 8).seconds();
    }

    private void measureInto(Map<String, Object> row, int[] dims, DType dtype, int tokens, PairedTimer.Settings settings,
                             double[] before) {
        BenchWeights.Prepared w = BenchWeights.twoFour(dims[0] + "x" + dims[1], dtype);
        int e = dtype.byteSize();
        long denseBytes = ByteLimit.denseBytes(dims[0], dims[1], tokens, e);
        long sparseBytes = ByteLimit.sparse24Bytes(dims[0], dims[1], tokens, e);
        int copies = LastLevelCache.copiesToExceed(cacheBytes, denseBytes + sparseBytes, MAX_COPIES);
        DeviceTiming timing = kernels instanceof DeviceTiming t ? t : null;
        List<SparseLinear> layers = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            SparseLinear[] dense = new SparseLinear[copies];
            SparseLinear[] sparse = new SparseLinear[copies];
            Tensor[] xs = new Tensor[copies];
            Tensor[] ys = new Tensor[copies];
            for (int c = 0; c < copies; c++) {
                // Copy 0 is the cached weight itself; the others are copies at other addresses.
                Tensor wd = c == 0 ? w.dense() : w.dense().copy(arena);
                Sparse24 ws = c == 0 ? w.sparse() : new Sparse24(w.sparse().name(), dims[0], dims[1],
                        w.sparse().values().copy(arena), w.sparse().meta().copy(arena));
                dense[c] = SparseLinear.dense("bench.dense", wd, null, kernels);
                layers.add(dense[c]);
                sparse[c] = SparseLinear.sparse("bench.sparse24", ws, null, kernels);
                layers.add(sparse[c]);
                xs[c] = Tensor.allocate(arena, "x", dtype, tokens, dims[1]);
                BenchWeights.fillGaussian(xs[c], 1); // the same values at another address
                ys[c] = Tensor.allocate(arena, "y", dtype, tokens, dims[0]);
            }
            PairedTimer.Call[] arms = {c -> call(dense[c], xs[c], ys[c], timing), c -> call(sparse[c], xs[c], ys[c], timing)};
            PairedTimer.Result r = PairedTimer.time(arms, copies, settings);
            row.put("sparse_backend", engine instanceof CudaEngine ? "AUTO" : engine.name());
            row.put("copies", copies);
            row.put("warmup_ms", settings.warmupMs());
            row.put("warmup_calls", r.warmupCalls());
            row.put("iterations", r.iterations());
            putTimes(row, "dense_wall", r.wallMs()[0]);
            putTimes(row, "sparse_wall", r.wallMs()[1]);
            if (timing != null) {
                putTimes(row, "dense_kernel", r.kernelMs()[0]);
                putTimes(row, "sparse_kernel", r.kernelMs()[1]);
            }
            double speedup = Stats.median(r.wallMs()[0]) / Stats.median(r.wallMs()[1]);
            double bandwidth = this.bandwidth;
            if (before != null) {
                double[] after = caseReads();
                double fastest = Math.min(Stats.min(before), Stats.min(after));
                bandwidth = Math.max(this.bandwidth, bandwidthBytes / fastest);
                row.put("bandwidth_note", "fastest of the run's read and 8 reads of " + (bandwidthBytes >> 20) + " MiB just "
                        + "before and 8 just after the case");
                row.put("bandwidth_read_before_s", GpuGemmBench.list(before));
                row.put("bandwidth_read_after_s", GpuGemmBench.list(after));
                row.put("bandwidth_run_gbs", GpuGemmBench.round(this.bandwidth / 1e9, 2));
            }
            row.put("speedup_wall", GpuGemmBench.round(speedup, 4));
            row.put("bytes_dense", denseBytes);
            row.put("bytes_sparse", sparseBytes);
            row.put("bandwidth_gbs", GpuGemmBench.round(bandwidth / 1e9, 2));
            row.put("limit_dense_ms", GpuGemmBench.round(ByteLimit.millis(denseBytes, bandwidth), 6));
            row.put("limit_sparse_ms", GpuGemmBench.round(ByteLimit.millis(sparseBytes, bandwidth), 6));
            row.put("limit_speedup", GpuGemmBench.round((double) denseBytes / sparseBytes, 4));
            log.printf(Locale.ROOT, "%-11s %-4s %5d tokens  dense %9.3f ms  2:4 %9.3f ms  %5.2fx  (limit %4.2fx, %d copies, "
                            + "%d iterations)%n", row.get("shape"), dtype, tokens, Stats.median(r.wallMs()[0]),
                    Stats.median(r.wallMs()[1]), speedup, (double) denseBytes / sparseBytes, copies, r.iterations());
        } finally {
            layers.forEach(SparseLinear::close);
        }
    }

    /** One forward; on a device, waits for it and returns its kernel nanoseconds. */
    private static long call(SparseLinear layer, Tensor x, Tensor y, DeviceTiming timing) {
        layer.forward(x, y);
        if (timing == null) {
            return -1;
        }
        timing.synchronize();
        return timing.lastKernelNanos();
    }

    private static void putTimes(Map<String, Object> row, String prefix, double[] ms) {
        double[] measured = java.util.Arrays.stream(ms).filter(v -> !Double.isNaN(v)).toArray();
        if (measured.length == 0) {
            return;
        }
        row.put(prefix + "_ms", GpuGemmBench.round(Stats.median(measured), 6));
        row.put(prefix + "_p10_ms", GpuGemmBench.round(Stats.percentile(measured, 10), 6));
        row.put(prefix + "_p90_ms", GpuGemmBench.round(Stats.percentile(measured, 90), 6));
    }
}
