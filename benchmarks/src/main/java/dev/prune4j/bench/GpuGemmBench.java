package dev.prune4j.bench;

import dev.prune4j.bench.report.GemmResult;
import dev.prune4j.bench.report.JsonLines;
import dev.prune4j.bench.shapes.BenchShapes;
import dev.prune4j.bench.timing.ByteLimit;
import dev.prune4j.bench.timing.Deadline;
import dev.prune4j.bench.timing.LastLevelCache;
import dev.prune4j.bench.timing.Stats;
import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.DeviceBuffer;
import dev.prune4j.cuda.CudaEngine;
import dev.prune4j.cuda.CudaGemmPlan;
import dev.prune4j.cuda.CudaGemmPlan.Arm;
import dev.prune4j.cuda.CudaGemmPlan.Backend;
import dev.prune4j.cuda.CudaLibraries;
import dev.prune4j.cuda.CudaLibraries.Library;
import dev.prune4j.engine.EngineUnavailableException;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Dense cuBLASLt vs 2:4 on the GPU, timed the honest way ({@link CudaGemmPlan#benchmark}): both arms
 * in one native call, alternating in order every iteration, each on rotating copies of its weight,
 * X and Y that together exceed twice the H200's 60 MB L2, with the L2 also flushed before every
 * call; at least a second of warm-up per case (clocks ramp up); CUDA events around each call;
 * medians. The 2:4 arm runs the backend {@link CudaGemmPlan#tune} measured fastest at that token
 * count. Beside the kernel times: Java wall times (run + synchronise, same rotation, no flush), the
 * byte limit from a read bandwidth measured at the start, and a spot check that both arms computed
 * the same product. The decode/GEMM threshold is measured once ({@link CudaGemmPlan#tuneDecode})
 * and becomes the context's default.
 *
 * <p>Writes JSON lines ({@value GemmResult#FORMAT}: header, device, one case per line as it
 * finishes, end) so a killed run keeps what it measured; cases run F16 before BF16 and the 7B
 * shapes first, in order of value. Starts a case only if its estimate fits before the deadline.
 *
 * <pre>
 * GpuGemmBench --output gemm.jsonl [--tokens 1,16,2048,8192] [--dtypes F16,BF16] [--shapes 4096x4096,...]
 *              [--warmup-ms 1000] [--no-flush-l2] [--no-tune] [--deadline EPOCH_S] [--dry-run]
 * </pre>
 * {@code --dry-run} writes the header, whether a device is usable and why not, and the end line,
 * without measuring. Exit status: 0 done (also when the deadline cut it short), 1 failed, 2 bad
 * arguments, 3 no usable device.
 */
public final class GpuGemmBench {
    static final List<Integer> DEFAULT_TOKENS = List.of(1, 16, 2048, 8192);
    /** Bytes of each bandwidth read: far beyond the L2. */
    private static final long BANDWIDTH_BYTES = 2L << 30;
    private static final int MAX_COPIES = 16;
    /** Rows of Y compared between the arms after each case. */
    private static final int CHECK_ROWS = 4;

    private GpuGemmBench() {}

    /** Parsed arguments. */
    record Options(Path output, List<String> shapes, List<Integer> tokens, List<DType> dtypes, int warmupMs,
                   boolean flushL2, boolean tune, long l2Bytes, double caseTargetMs, Deadline deadline, boolean dryRun) {

        static Options parse(String[] args) {
            Path output = null;
            List<String> shapes = BenchShapes.allShapes();
            List<Integer> tokens = DEFAULT_TOKENS;
            List<DType> dtypes = List.of(DType.F16, DType.BF16);
            int warmupMs = 1000;
            boolean flush = true;
            boolean tune = true;
            long l2 = LastLevelCache.H200_L2_BYTES;
            double target = 150;
            String deadline = null;
            boolean dry = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--dry-run" -> dry = true;
                    case "--no-flush-l2" -> flush = false;
                    case "--no-tune" -> tune = false;
                    default -> {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value"
                                    : "unexpected argument '" + a + "'");
                        }
                        String v = args[++i];
                        switch (a) {
                            case "--output" -> output = Path.of(v);
                            case "--shapes" -> shapes = List.of(v.split(","));
                            case "--tokens" -> tokens = positiveInts("--tokens", v);
                            case "--dtypes" -> dtypes = dtypes(v);
                            case "--warmup-ms" -> warmupMs = positiveInts("--warmup-ms", v).get(0);
                            case "--l2-mib" -> l2 = positiveInts("--l2-mib", v).get(0) * (1L << 20);
                            case "--case-ms" -> target = positiveInts("--case-ms", v).get(0);
                            case "--deadline" -> deadline = v;
                            default -> throw new IllegalArgumentException("unknown option " + a);
                        }
                    }
                }
            }
            if (output == null) {
                throw new IllegalArgumentException("--output FILE.jsonl is required");
            }
            shapes.forEach(BenchShapes::parse);
            return new Options(output, shapes, tokens, dtypes, warmupMs, flush, tune, l2, target, Deadline.of(deadline),
                    dry);
        }

        private static List<Integer> positiveInts(String option, String v) {
            List<Integer> out = new ArrayList<>();
            for (String t : v.split(",")) {
                try {
                    int n = Integer.parseInt(t.trim());
                    if (n <= 0) {
                        throw new NumberFormatException();
                    }
                    out.add(n);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(option + " needs positive integers, got '" + t + "'");
                }
            }
            return out;
        }

        private static List<DType> dtypes(String v) {
            List<DType> out = new ArrayList<>();
            for (String d : v.toUpperCase(Locale.ROOT).split(",")) {
                if (!d.equals("F16") && !d.equals("BF16")) {
                    throw new IllegalArgumentException("--dtypes takes F16 and BF16 (the GPU GEMMs' dtypes), got '" + d + "'");
                }
                out.add(DType.valueOf(d));
            }
            return out;
        }

        int cases() {
            return shapes.size() * tokens.size() * dtypes.size();
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    static int run(String[] args, PrintStream log) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            log.println("GpuGemmBench: " + e.getMessage());
            return 2;
        }
        JsonLines out = new JsonLines(o.output(), GemmResult.FORMAT);
        long started = System.nanoTime();
        out.write(header(out, o));
        if (o.dryRun()) {
            out.write(availability(out));
            Map<String, Object> end = out.line("end");
            end.put("dry_run", true);
            end.put("cases", 0);
            out.write(end);
            log.println("GpuGemmBench --dry-run: " + o.cases() + " cases planned, header written to " + o.output());
            return 0;
        }
        CudaEngine engine;
        try {
            engine = CudaEngine.create(0);
        } catch (EngineUnavailableException e) {
            Map<String, Object> device = out.line("device");
            device.put("available", false);
            device.put("reason", e.getMessage());
            out.write(device);
            out.write(end(out, 0, 0, "no usable CUDA device", started));
            log.println("GpuGemmBench: no usable CUDA device: " + e.getMessage());
            return 3;
        }
        try (engine) {
            return new Session(engine, o, out, log).runAll(started);
        } catch (RuntimeException e) {
            Map<String, Object> fail = end(out, -1, -1, "failed: " + e, started);
            out.write(fail);
            e.printStackTrace(log);
            return 1;
        }
    }

    private static Map<String, Object> header(JsonLines out, Options o) {
        Map<String, Object> h = out.line("header");
        h.put("benchmark", "GpuGemmBench");
        h.put("started", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        h.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        h.put("host_cores", Runtime.getRuntime().availableProcessors());
        h.put("shapes", o.shapes());
        h.put("tokens", o.tokens());
        h.put("dtypes", o.dtypes().stream().map(Enum::name).toList());
        h.put("cases_planned", o.cases());
        h.put("warmup_ms", o.warmupMs());
        h.put("flush_l2", o.flushL2());
        h.put("tune", o.tune());
        h.put("l2_bytes", o.l2Bytes());
        h.put("method", "dense and 2:4 arms alternating in one prune4j_gemm_benchmark call; rotating copies of W, X, Y "
                + "exceeding 2x L2" + (o.flushL2() ? ", L2 flushed before every call" : "") + "; " + o.warmupMs()
                + " ms warm-up per case; CUDA events around each call; medians");
        h.put("dry_run", o.dryRun());
        return h;
    }

    /** Whether a device would be usable, and the run-time libraries, without measuring anything. */
    private static Map<String, Object> availability(JsonLines out) {
        Map<String, Object> d = out.line("device");
        try (CudaEngine e = CudaEngine.create(0)) {
            d.put("available", true);
            d.put("description", e.description());
        } catch (EngineUnavailableException e) {
            d.put("available", false);
            d.put("reason", e.getMessage());
        }
        libraries(d);
        return d;
    }

    private static void libraries(Map<String, Object> d) {
        for (Library lib : Library.values()) {
            try {
                d.put(lib.name().toLowerCase(Locale.ROOT), CudaLibraries.status(lib).toString());
            } catch (RuntimeException | LinkageError e) {
                d.put(lib.name().toLowerCase(Locale.ROOT), "unknown: " + e.getMessage());
            }
        }
    }

    private static Map<String, Object> end(JsonLines out, int done, int skipped, String stopped, long startedNanos) {
        Map<String, Object> e = out.line("end");
        e.put("cases", done);
        e.put("cases_skipped", skipped);
        if (stopped != null) {
            e.put("stopped", stopped);
        }
        e.put("elapsed_s", Math.round((System.nanoTime() - startedNanos) / 1e8) / 10.0);
        e.put("finished", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return e;
    }

    /** One device, its measured bandwidth and threshold, and the cases. */
    private static final class Session {
        private final CudaEngine engine;
        private final CudaContext ctx;
        private final Options o;
        private final JsonLines out;
        private final PrintStream log;
        private final String gpu;
        private double bandwidth;

        Session(CudaEngine engine, Options o, JsonLines out, PrintStream log) {
            this.engine = engine;
            this.ctx = engine.context();
            this.o = o;
            this.out = out;
            this.log = log;
            this.gpu = ctx.deviceName() + " (" + ctx.capability() + ")";
        }

        int runAll(long started) {
            device();
            int done = 0;
            int skipped = 0;
            String stopped = null;
            long freeBefore = ctx.memory().freeBytes();
            for (DType dtype : o.dtypes()) {
                for (String shape : o.shapes()) {
                    int[] dims = BenchShapes.parse(shape);
                    if (stopped == null && !o.deadline().allows(setupEstimateMs(dims) + caseEstimateMs(dims, 1))) {
                        stopped = "deadline (" + Math.round(o.deadline().secondsLeft()) + " s left)";
                    }
                    if (stopped != null) {
                        skipped += o.tokens().size();
                        continue;
                    }
                    int[] counts = shapeCases(shape, dims, dtype);
                    done += counts[0];
                    skipped += counts[1];
                    if (counts[1] > 0) {
                        stopped = "deadline (" + Math.round(o.deadline().secondsLeft()) + " s left)";
                    }
                }
            }
            Map<String, Object> e = end(out, done, skipped, stopped, started);
            e.put("device_free_bytes_before", freeBefore);
            e.put("device_free_bytes_after", ctx.memory().freeBytes());
            out.write(e);
            log.println("GpuGemmBench: " + done + " cases, " + skipped + " skipped" + (stopped != null ? " (" + stopped + ")" : ""));
            return 0;
        }

        /** The device line: what it is, its bandwidth, its libraries and its decode threshold. */
        private void device() {
            Map<String, Object> d = out.line("device");
            d.put("available", true);
            d.put("gpu", gpu);
            d.put("description", engine.description());
            CudaContext.MemoryInfo mem = ctx.memory();
            d.put("memory_total_bytes", mem.totalBytes());
            d.put("memory_free_bytes", mem.freeBytes());
            libraries(d);
            float[] reads = CudaGemmPlan.readBandwidth(ctx, BANDWIDTH_BYTES, 10);
            double[] ms = widen(reads);
            bandwidth = BANDWIDTH_BYTES / (Stats.min(ms) / 1e3);
            d.put("bandwidth_bytes", BANDWIDTH_BYTES);
            d.put("bandwidth_read_ms", list(ms));
            d.put("bandwidth_gbs", round(bandwidth / 1e9, 1));
            d.put("bandwidth_note", "fastest of 10 reads of 2 GiB, L2 scrubbed before each (the byte limit's denominator)");
            decodeThreshold(d);
            out.write(d);
            log.printf(Locale.ROOT, "GpuGemmBench on %s: %.0f GB/s read bandwidth, decode threshold %s%n", gpu,
                    bandwidth / 1e9, d.get("decode_max_tokens"));
        }

        /** prune4j_gemm_tune_decode once per device, on the 7B q/o shape in F16; the result becomes the default. */
        private void decodeThreshold(Map<String, Object> d) {
            try (Arena arena = Arena.ofShared()) {
                Sparse24 sw = Sparse24.compress(GpuWeights.twoFour(arena, DType.F16, 4096, 4096, 7), arena);
                try (CudaGemmPlan plan = CudaGemmPlan.sparse24(ctx, sw, null)) {
                    CudaGemmPlan.DecodeTuning t = plan.tuneDecode(20);
                    CudaGemmPlan.setDefaultDecodeMaxTokens(ctx, t.maxTokens());
                    d.put("decode_max_tokens", t.maxTokens());
                    d.put("decode_tuned_on", "4096x4096 F16");
                    d.put("decode_ms", list(widen(t.decodeMs())));
                    d.put("decode_gemm_ms", list(widen(t.gemmMs())));
                }
            } catch (RuntimeException e) {
                d.put("decode_max_tokens", "untuned: " + e.getMessage());
            }
        }

        /** Runs the token counts of one shape and dtype; returns {done, skipped}. */
        private int[] shapeCases(String shape, int[] dims, DType dtype) {
            int o2 = dims[0];
            int i2 = dims[1];
            int done = 0;
            int skipped = 0;
            List<CudaGemmPlan> dense = new ArrayList<>();
            List<CudaGemmPlan> sparse = new ArrayList<>();
            try (Arena arena = Arena.ofShared()) {
                long seed = 31L * o2 + i2 + dtype.ordinal();
                Tensor w = GpuWeights.twoFour(arena, dtype, o2, i2, seed);
                Sparse24 sw = Sparse24.compress(w, arena);
                for (int tokens : o.tokens()) {
                    if (!o.deadline().allows(caseEstimateMs(dims, tokens))) {
                        skipped += o.tokens().size() - (done + skipped);
                        break;
                    }
                    Map<String, Object> row;
                    try {
                        int copies = copies(o2, i2, tokens, dtype);
                        while (dense.size() < copies) {
                            dense.add(CudaGemmPlan.dense(ctx, w, null));
                            sparse.add(CudaGemmPlan.sparse24(ctx, sw, null));
                        }
                        row = measure(shape, o2, i2, dtype, tokens, dense.subList(0, copies), sparse.subList(0, copies));
                    } catch (RuntimeException e) {
                        row = caseLine(shape, o2, i2, dtype, tokens);
                        row.put("error", String.valueOf(e.getMessage()));
                        log.println(shape + " " + dtype + " " + tokens + " tokens: " + e);
                    }
                    out.write(row);
                    done++;
                }
            } finally {
                dense.forEach(CudaGemmPlan::close);
                sparse.forEach(CudaGemmPlan::close);
            }
            return new int[] {done, skipped};
        }

        /** Copies of W, X and Y together at least twice the L2, so no call finds its weight cached. */
        private int copies(long out2, long in2, int tokens, DType dtype) {
            int e = dtype.byteSize();
            long perCopy = ByteLimit.denseBytes(out2, in2, tokens, e) + ByteLimit.sparse24Bytes(out2, in2, tokens, e);
            return LastLevelCache.copiesToExceed(o.l2Bytes(), perCopy, MAX_COPIES);
        }

        private Map<String, Object> caseLine(String shape, int o2, int i2, DType dtype, int tokens) {
            Map<String, Object> row = out.line("case");
            row.put("device", "cuda");
            row.put("gpu", gpu);
            row.put("layer", String.join(", ", BenchShapes.projectionsOf(shape).stream().map(p -> p.layer()).toList()));
            row.put("shape", shape);
            row.put("out", o2);
            row.put("in", i2);
            row.put("dtype", dtype.name());
            row.put("tokens", tokens);
            return row;
        }

        private Map<String, Object> measure(String shape, int o2, int i2, DType dtype, int tokens,
                                            List<CudaGemmPlan> dense, List<CudaGemmPlan> sparse) {
            long t0 = System.nanoTime();
            Map<String, Object> row = caseLine(shape, o2, i2, dtype, tokens);
            int copies = dense.size();
            int e = dtype.byteSize();
            List<DeviceBuffer> xs = new ArrayList<>();
            List<DeviceBuffer> ys = new ArrayList<>();
            try (Arena host = Arena.ofShared()) {
                MemorySegment x = host.allocate((long) tokens * i2 * e, 16);
                GpuWeights.fillActivations(x, dtype, (long) tokens * i2, tokens);
                for (int c = 0; c < copies; c++) {
                    xs.add(ctx.allocate((long) tokens * i2 * e));
                    ys.add(ctx.allocate((long) tokens * o2 * e));
                    ctx.copyToDevice(x, xs.get(c), 0);
                }
                Backend chosen = null;
                if (o.tune()) {
                    try {
                        CudaGemmPlan.Tuning t = sparse.get(0).tune(tokens, 10);
                        chosen = t.chosen();
                        Map<String, Object> tuned = new LinkedHashMap<>();
                        t.backendMs().forEach((b, ms) -> tuned.put(b.name(), round(ms, 6)));
                        row.put("tune_ms", tuned);
                    } catch (RuntimeException failed) {
                        // Still worth timing what AUTO picks; the line says tuning failed and why.
                        row.put("tune_error", String.valueOf(failed.getMessage()));
                    }
                }
                if (chosen == null) {
                    chosen = sparse.get(0).resolve(Backend.AUTO, tokens);
                }
                if (chosen == null) {
                    throw new IllegalStateException("no 2:4 backend runs " + shape + " " + dtype + " here");
                }
                long denseBytes = ByteLimit.denseBytes(o2, i2, tokens, e);
                long sparseBytes = ByteLimit.sparse24Bytes(o2, i2, tokens, e);
                int iterations = iterations(o2, i2, tokens, denseBytes, sparseBytes, row);
                float[][] ms = CudaGemmPlan.benchmark(ctx, List.of(new Arm(dense, Backend.CUBLASLT), new Arm(sparse, chosen)),
                        tokens, xs, ys, o.flushL2(), o.warmupMs(), iterations);
                double[] d = Stats.column(ms, 0);
                double[] s = Stats.column(ms, 1);
                double[][] wall = wallTimes(dense, sparse, chosen, tokens, xs, ys, Math.min(iterations, 30));
                row.put("sparse_backend", chosen.name());
                row.put("copies", copies);
                row.put("flush_l2", o.flushL2());
                row.put("warmup_ms", o.warmupMs());
                row.put("iterations", iterations);
                putTimes(row, "dense_kernel", d);
                putTimes(row, "sparse_kernel", s);
                putTimes(row, "dense_wall", wall[0]);
                putTimes(row, "sparse_wall", wall[1]);
                row.put("speedup_kernel", round(Stats.median(d) / Stats.median(s), 4));
                row.put("speedup_wall", round(Stats.median(wall[0]) / Stats.median(wall[1]), 4));
                row.put("bytes_dense", denseBytes);
                row.put("bytes_sparse", sparseBytes);
                row.put("bandwidth_gbs", round(bandwidth / 1e9, 1));
                row.put("limit_dense_ms", round(ByteLimit.millis(denseBytes, bandwidth), 6));
                row.put("limit_sparse_ms", round(ByteLimit.millis(sparseBytes, bandwidth), 6));
                row.put("limit_speedup", round((double) denseBytes / sparseBytes, 4));
                spotCheck(row, dense.get(0), sparse.get(0), chosen, tokens, o2, dtype, xs.get(0), ys.get(0), host);
                log.printf(Locale.ROOT, "%-11s %-4s %5d tokens  dense %9.4f ms  2:4 %-12s %9.4f ms  kernel %5.2fx"
                                + "  (limit %4.2fx, wall %5.2fx)%n", shape, dtype, tokens, Stats.median(d), chosen,
                        Stats.median(s), Stats.median(d) / Stats.median(s), (double) denseBytes / sparseBytes,
                        Stats.median(wall[0]) / Stats.median(wall[1]));
            } finally {
                xs.forEach(DeviceBuffer::close);
                ys.forEach(DeviceBuffer::close);
            }
            row.put("elapsed_s", round((System.nanoTime() - t0) / 1e9, 2));
            return row;
        }

        /**
         * Enough iterations for a stable median in about {@link Options#caseTargetMs()} of timed calls,
         * from the tuned time where there is one, else the byte and FLOP estimate; 10 to 200.
         */
        private int iterations(int o2, int i2, int tokens, long denseBytes, long sparseBytes, Map<String, Object> row) {
            double flops = 2.0 * o2 * i2 * tokens;
            double dense = Math.max(ByteLimit.millis(denseBytes, bandwidth), flops / 600e12 * 1e3);
            double sparse = Math.max(ByteLimit.millis(sparseBytes, bandwidth), flops / 900e12 * 1e3);
            double flush = o.flushL2() ? ByteLimit.millis(4 * o.l2Bytes(), bandwidth) : 0;
            double perIteration = dense + sparse + 2 * flush + 0.01;
            return (int) Math.max(10, Math.min(200, Math.round(o.caseTargetMs() / perIteration)));
        }

        /** Java wall time per call: run, then wait for the stream; alternating and rotating as the kernel times. */
        private double[][] wallTimes(List<CudaGemmPlan> dense, List<CudaGemmPlan> sparse, Backend chosen, int tokens,
                                     List<DeviceBuffer> xs, List<DeviceBuffer> ys, int n) {
            double[][] t = new double[2][n];
            for (int i = 0; i < n; i++) {
                int c = i % dense.size();
                for (int k = 0; k < 2; k++) {
                    int arm = i % 2 == 0 ? k : 1 - k;
                    CudaGemmPlan plan = arm == 0 ? dense.get(c) : sparse.get(c);
                    long s = System.nanoTime();
                    plan.run(arm == 0 ? Backend.CUBLASLT : chosen, tokens, xs.get(c), ys.get(c));
                    ctx.synchronize();
                    t[arm][i] = (System.nanoTime() - s) / 1e6;
                }
            }
            return t;
        }

        /** Both arms on copy 0, the first rows of Y compared: the benchmark timed two equal products. */
        private void spotCheck(Map<String, Object> row, CudaGemmPlan dense, CudaGemmPlan sparse, Backend chosen,
                               int tokens, int o2, DType dtype, DeviceBuffer x, DeviceBuffer y, Arena host) {
            int rows = Math.min(tokens, CHECK_ROWS);
            MemorySegment a = host.allocate((long) rows * o2 * dtype.byteSize(), 16);
            MemorySegment b = host.allocate((long) rows * o2 * dtype.byteSize(), 16);
            dense.run(Backend.CUBLASLT, tokens, x, y);
            ctx.copyToHost(y, 0, a);
            sparse.run(chosen, tokens, x, y);
            ctx.copyToHost(y, 0, b);
            double maxDiff = 0;
            double sumSq = 0;
            long n = (long) rows * o2;
            for (long k = 0; k < n; k++) {
                double u = GpuWeights.toFloat(dtype, GpuWeights.bits(a, k));
                double v = GpuWeights.toFloat(dtype, GpuWeights.bits(b, k));
                maxDiff = Math.max(maxDiff, Math.abs(u - v));
                sumSq += u * u;
            }
            row.put("check_max_abs_diff", maxDiff);
            row.put("check_rms", Math.sqrt(sumSq / n));
        }

        /** Host generation and compression (about 8 ns a weight), uploads. */
        private double setupEstimateMs(int[] dims) {
            return 8e-6 * dims[0] * dims[1] + 300;
        }

        /** Warm-up, the timed calls and the wall times, tuning (about 60 calls), allocations. */
        private double caseEstimateMs(int[] dims, int tokens) {
            double flops = 2.0 * dims[0] * dims[1] * tokens;
            double call = Math.max(2.0 * dims[0] * dims[1] / 3e12, flops / 600e12) * 1e3;
            return o.warmupMs() + 2 * o.caseTargetMs() + (o.tune() ? 60 * call : 0) + 300;
        }
    }

    private static void putTimes(Map<String, Object> row, String prefix, double[] ms) {
        row.put(prefix + "_ms", round(Stats.median(ms), 6));
        row.put(prefix + "_p10_ms", round(Stats.percentile(ms, 10), 6));
        row.put(prefix + "_p90_ms", round(Stats.percentile(ms, 90), 6));
    }

    static double[] widen(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** JSON arrays as lists (the JSON writer takes collections); values rounded to 6 decimals. */
    static List<Double> list(double[] values) {
        List<Double> out = new ArrayList<>(values.length);
        for (double v : values) {
            out.add(round(v, 6));
        }
        return out;
    }

    static double round(double v, int digits) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return v;
        }
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
