package dev.prune4j.cuda;

import dev.prune4j.sparse.Sparse24;
import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.DeviceBuffer;
import dev.prune4j.bindings.Prune4jH;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

/**
 * One linear layer's weight resident on a CUDA device ({@code p4j_gemm_plan*}): uploaded once, in
 * the layouts its backends need (cuBLASLt for a dense weight; for a 2:4 weight the decode kernel,
 * CUTLASS sm_90a or CUTLASS sm_80, derived on the device from the canonical {@link Sparse24} form).
 * F16 and BF16 weights; the activations and outputs have the weight's dtype.
 *
 * <p>Calls are serialised on the {@link CudaContext}, the one lock of the device's stream. A plan
 * is registered with its context, which closes it first when the context itself closes; closing a
 * plan twice, or after its context, does nothing.
 *
 * <p>Device buffers passed to a plan must be 16-byte aligned (the kernels load 16 bytes at a time);
 * {@link CudaContext#allocate} returns 256-byte aligned memory, and the checks here say so before a
 * misaligned pointer reaches a kernel. Besides running, a plan can be tuned ({@link #tune},
 * {@link #tuneDecode}) and timed honestly ({@link #benchmark}: rotating copies, alternating arms,
 * CUDA events around each call); {@link #readBandwidth} gives the byte limit's denominator and
 * {@link CudaLibraries} says whether cuBLASLt and cuSPARSELt load, without a device.
 */
public final class CudaGemmPlan implements AutoCloseable {
    /** Backends ({@code P4J_BACKEND_*} of prune4j.h). */
    public enum Backend {
        AUTO(Prune4jH.P4J_BACKEND_AUTO),
        CUBLASLT(Prune4jH.P4J_BACKEND_CUBLASLT),
        CUTLASS_SM80(Prune4jH.P4J_BACKEND_CUTLASS_SM80),
        CUTLASS_SM90(Prune4jH.P4J_BACKEND_CUTLASS_SM90),
        DECODE(Prune4jH.P4J_BACKEND_DECODE),
        CUSPARSELT(Prune4jH.P4J_BACKEND_CUSPARSELT);

        final int code;

        Backend(int code) {
            this.code = code;
        }

        static Backend of(int code) {
            return Arrays.stream(values()).filter(b -> b.code == code).findFirst().orElseThrow();
        }
    }

    private final CudaContext context;
    private final String name;
    private final boolean sparse;
    private final DType dtype;
    private final int out;
    private final int in;
    private final MemorySegment scratch;
    private MemorySegment handle;

    private CudaGemmPlan(CudaContext context, String name, boolean sparse, DType dtype, int out, int in,
                         MemorySegment handle, MemorySegment scratch) {
        this.context = context;
        this.name = name;
        this.sparse = sparse;
        this.dtype = dtype;
        this.out = out;
        this.in = in;
        this.handle = handle;
        this.scratch = scratch;
    }

    /** True when the GPU kernels take this dtype (F16 or BF16). */
    public static boolean supports(DType dtype) {
        return dtype == DType.F16 || dtype == DType.BF16;
    }

    /** A plan for a dense weight {@code [out, in]}; {@code bias} ({@code [out]}, any float dtype) may be null. */
    public static CudaGemmPlan dense(CudaContext context, Tensor weight, Tensor bias) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("layer weight " + weight + " is not [out, in]");
        }
        return create(context, weight.name(), false, weight.dtype(), weight.dim(0), weight.dim(1), weight.data(),
                MemorySegment.NULL, bias);
    }

    /** A plan for a 2:4 weight; {@code bias} may be null. */
    public static CudaGemmPlan sparse24(CudaContext context, Sparse24 weight, Tensor bias) {
        return create(context, weight.name(), true, weight.dtype(), weight.rows(), weight.cols(),
                weight.values().data(), weight.meta().data(), bias);
    }

    private static CudaGemmPlan create(CudaContext context, String name, boolean sparse, DType dtype, long out, long in,
                                       MemorySegment values, MemorySegment meta, Tensor bias) {
        if (!supports(dtype)) {
            throw new IllegalArgumentException("layer '" + name + "': the GPU GEMMs take F16 or BF16 weights, not " + dtype);
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != out)) {
            throw new IllegalArgumentException("layer '" + name + "': bias " + bias + " is not [" + out + "]");
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment biasF32 = MemorySegment.NULL;
            if (bias != null) {
                biasF32 = call.allocate(4 * out, 4);
                for (long i = 0; i < out; i++) {
                    biasF32.setAtIndex(ValueLayout.JAVA_FLOAT, i, bias.getFloat(i));
                }
            }
            MemorySegment outHandle = call.allocate(ValueLayout.ADDRESS);
            synchronized (context) {
                CudaContext.check(Prune4jH.prune4j_gemm_plan_create(context.handle(),
                        sparse ? Prune4jH.P4J_WEIGHT_SPARSE24 : Prune4jH.P4J_WEIGHT_DENSE, dtypeCode(dtype), out, in,
                        values, meta, biasF32, outHandle), "prune4j_gemm_plan_create(" + name + ")");
            }
            MemorySegment handle = outHandle.get(ValueLayout.ADDRESS, 0);
            // Out-parameters of later calls; freed with the plan object by the GC.
            MemorySegment scratch = Arena.ofAuto().allocate(16, 8);
            CudaGemmPlan plan = new CudaGemmPlan(context, name, sparse, dtype, (int) out, (int) in, handle, scratch);
            context.register(plan);
            return plan;
        }
    }

    static int dtypeCode(DType dtype) {
        return switch (dtype) {
            case F16 -> Prune4jH.P4J_DTYPE_F16;
            case BF16 -> Prune4jH.P4J_DTYPE_BF16;
            default -> throw new IllegalArgumentException("dtype " + dtype + " is not F16 or BF16");
        };
    }

    /** The backend {@code backend} resolves to at {@code tokens} tokens here, or null when it cannot run. */
    public Backend resolve(Backend backend, long tokens) {
        synchronized (context) {
            CudaContext.check(Prune4jH.prune4j_gemm_backend(handle(), backend.code, tokens, scratch), "prune4j_gemm_backend");
            int code = scratch.get(ValueLayout.JAVA_INT, 0);
            return code < 0 ? null : Backend.of(code);
        }
    }

    /** {@code y = x W^T (+ bias)} on device buffers: x {@code [tokens, in]}, y {@code [tokens, out]}; does not wait. */
    public void run(Backend backend, long tokens, DeviceBuffer x, DeviceBuffer y) {
        checkBuffers(tokens, x, y);
        synchronized (context) {
            CudaContext.check(Prune4jH.prune4j_gemm_run(handle(), backend.code, tokens, x.pointer(), y.pointer()),
                    "prune4j_gemm_run(" + name + ", " + backend + ", " + tokens + " tokens)");
        }
    }

    /**
     * Milliseconds per run: {@code syncEach = false} times back-to-back runs with CUDA events (kernel
     * time), {@code true} waits for the stream after each run (latency as a caller sees it).
     */
    public float time(Backend backend, long tokens, DeviceBuffer x, DeviceBuffer y, int iterations, boolean syncEach) {
        checkBuffers(tokens, x, y);
        synchronized (context) {
            CudaContext.check(Prune4jH.prune4j_gemm_time(handle(), backend.code, tokens, x.pointer(), y.pointer(),
                    iterations, syncEach ? 1 : 0, scratch), "prune4j_gemm_time(" + name + ", " + backend + ")");
            return scratch.get(ValueLayout.JAVA_FLOAT, 0);
        }
    }

    /**
     * {@code y = x W^T (+ bias)} for host tensors of the weight's dtype ({@code x [.., in]},
     * {@code y [.., out]}): copies x in, runs, copies y out.
     */
    public void forward(Backend backend, Tensor x, Tensor y) {
        forwardTimed(backend, x, y);
    }

    /**
     * As {@link #forward}, returning the device time of the GEMM kernels in nanoseconds (CUDA events
     * around the run, host copies excluded), or 0 for an empty input.
     */
    public long forwardTimed(Backend backend, Tensor x, Tensor y) {
        x.requireHost();
        y.requireHost();
        if (x.rank() == 0 || x.cols() != in || y.rank() == 0 || y.cols() != out || y.rows() != x.rows()) {
            throw new IllegalArgumentException("layer '" + name + "' [" + out + ", " + in + "]: input " + x
                    + " and output " + y + " are not [tokens, " + in + "] and [tokens, " + out + "]");
        }
        if (x.dtype() != dtype || y.dtype() != dtype) {
            throw new IllegalArgumentException("layer '" + name + "': the GPU plan takes " + dtype + " activations, got "
                    + x + " -> " + y);
        }
        long tokens = x.rows();
        if (tokens == 0) {
            return 0;
        }
        synchronized (context) {
            try (DeviceBuffer dx = context.allocate(x.byteSize()); DeviceBuffer dy = context.allocate(y.byteSize())) {
                context.copyToDevice(x.data(), dx, 0);
                checkBuffers(tokens, dx, dy);
                CudaContext.check(Prune4jH.prune4j_gemm_run_timed(handle(), backend.code, tokens, dx.pointer(),
                        dy.pointer(), scratch), "prune4j_gemm_run_timed(" + name + ", " + backend + ", " + tokens + " tokens)");
                long nanos = Math.round(scratch.get(ValueLayout.JAVA_FLOAT, 0) * 1e6);
                context.copyToHost(dy, 0, y.data());
                return nanos;
            }
        }
    }

    /** Slots of {@code prune4j_gemm_tune}'s {@code backend_ms}: one per {@code P4J_BACKEND_*} code, with room to spare. */
    private static final int BACKEND_SLOTS = 8;

    /**
     * What {@link #tune} measured at one token count: the fastest backend (AUTO now uses it for that
     * token bucket) and each backend's best median time in milliseconds (absent where it cannot run).
     */
    public record Tuning(long tokens, Backend chosen, java.util.Map<Backend, Float> backendMs) {}

    /**
     * Measures every backend and tile that can run this plan at {@code tokens} tokens (median of
     * {@code iterations} calls, L2 scrubbed before each; cuSPARSELt after its own search) and makes
     * AUTO use the fastest for that token bucket. Waits for the device.
     */
    public Tuning tune(long tokens, int iterations) {
        if (tokens < 1 || iterations < 1 || iterations > 10_000) {
            throw new IllegalArgumentException("tune of '" + name + "': tokens " + tokens + " (>= 1) or iterations "
                    + iterations + " (1..10000) out of range");
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment chosen = call.allocate(ValueLayout.JAVA_INT);
            MemorySegment ms = call.allocate(ValueLayout.JAVA_FLOAT, BACKEND_SLOTS);
            synchronized (context) {
                CudaContext.check(Prune4jH.prune4j_gemm_tune(handle(), tokens, iterations, chosen, ms),
                        "prune4j_gemm_tune(" + name + ", " + tokens + " tokens)");
            }
            java.util.Map<Backend, Float> times = new java.util.EnumMap<>(Backend.class);
            for (Backend b : Backend.values()) {
                float t = ms.getAtIndex(ValueLayout.JAVA_FLOAT, b.code);
                if (t >= 0) {
                    times.put(b, t);
                }
            }
            return new Tuning(tokens, Backend.of(chosen.get(ValueLayout.JAVA_INT, 0)), times);
        }
    }

    /**
     * What {@link #tuneDecode} measured: for t = 1..16 tokens the median device time of the decode
     * kernel ({@code decodeMs[t - 1]}) and of the fastest tensor-core GEMM ({@code gemmMs[t - 1]},
     * -1 where none ran), and the largest t up to which the decode kernel won at every count.
     */
    public record DecodeTuning(int maxTokens, float[] decodeMs, float[] gemmMs) {}

    /**
     * Measures this 2:4 plan's decode/GEMM threshold on its device (about a second) and sets it on the
     * plan; hand {@link DecodeTuning#maxTokens()} to {@link #setDefaultDecodeMaxTokens} so later plans
     * of the context start with it.
     */
    public DecodeTuning tuneDecode(int iterations) {
        if (!sparse) {
            throw new IllegalStateException("layer '" + name + "' has a dense plan: only 2:4 plans have a decode kernel");
        }
        if (iterations < 1 || iterations > 10_000) {
            throw new IllegalArgumentException("tuneDecode of '" + name + "': iterations " + iterations + " not in 1..10000");
        }
        int n = Prune4jH.P4J_DECODE_MAX_TOKENS;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment max = call.allocate(ValueLayout.JAVA_INT);
            MemorySegment decode = call.allocate(ValueLayout.JAVA_FLOAT, n);
            MemorySegment gemm = call.allocate(ValueLayout.JAVA_FLOAT, n);
            synchronized (context) {
                CudaContext.check(Prune4jH.prune4j_gemm_tune_decode(handle(), iterations, max, decode, gemm),
                        "prune4j_gemm_tune_decode(" + name + ")");
            }
            return new DecodeTuning(max.get(ValueLayout.JAVA_INT, 0), decode.toArray(ValueLayout.JAVA_FLOAT),
                    gemm.toArray(ValueLayout.JAVA_FLOAT));
        }
    }

    /** Up to how many tokens AUTO runs this plan on the decode kernel (unless tuning chose otherwise). */
    public int decodeMaxTokens() {
        synchronized (context) {
            CudaContext.check(Prune4jH.prune4j_gemm_decode_max_tokens(handle(), scratch), "prune4j_gemm_decode_max_tokens");
            return scratch.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** Sets {@link #decodeMaxTokens()} (0..16; 0: never the decode kernel). */
    public void setDecodeMaxTokens(int maxTokens) {
        checkDecodeMaxTokens(maxTokens);
        synchronized (context) {
            CudaContext.check(Prune4jH.prune4j_gemm_set_decode_max_tokens(handle(), maxTokens),
                    "prune4j_gemm_set_decode_max_tokens(" + name + ")");
        }
    }

    /** The decode threshold new plans of {@code context} start with (0..16), e.g. a measured one. */
    public static void setDefaultDecodeMaxTokens(CudaContext context, int maxTokens) {
        checkDecodeMaxTokens(maxTokens);
        synchronized (context) {
            CudaContext.check(Prune4jH.prune4j_gemm_set_default_decode_max_tokens(context.handle(), maxTokens),
                    "prune4j_gemm_set_default_decode_max_tokens");
        }
    }

    static void checkDecodeMaxTokens(int maxTokens) {
        if (maxTokens < 0 || maxTokens > Prune4jH.P4J_DECODE_MAX_TOKENS) {
            throw new IllegalArgumentException("decode threshold " + maxTokens + " is not in 0.."
                    + Prune4jH.P4J_DECODE_MAX_TOKENS);
        }
    }

    /**
     * One arm of {@link #benchmark}: copies of one layer (the same weight uploaded several times, so
     * that together they exceed the last-level cache) run on one backend.
     */
    public record Arm(List<CudaGemmPlan> copies, Backend backend) {
        public Arm {
            copies = List.copyOf(copies);
        }
    }

    /**
     * Honest device timing ({@code prune4j_gemm_benchmark}): iteration i runs every arm once, in order
     * on even and reversed on odd iterations, arm a on its copy {@code i % copies} with
     * {@code xs[i % copies] -> ys[i % copies]}; {@code flushL2} reads a buffer of four times the L2
     * before every call. After {@code warmupMs} of the same calls untimed, each of
     * {@code iterations} iterations is timed per call with CUDA events. Returns
     * {@code [iteration][arm]} milliseconds (take medians). Waits for the device.
     */
    public static float[][] benchmark(CudaContext context, List<Arm> arms, long tokens, List<DeviceBuffer> xs,
                                      List<DeviceBuffer> ys, boolean flushL2, int warmupMs, int iterations) {
        int copies = arms.isEmpty() ? 0 : arms.get(0).copies().size();
        checkBenchmarkCounts(arms.size(), copies, xs.size(), ys.size(), warmupMs, iterations);
        CudaGemmPlan first = arms.get(0).copies().get(0);
        for (Arm arm : arms) {
            if (arm.copies().size() != copies) {
                throw new IllegalArgumentException("benchmark: every arm needs " + copies + " copies, "
                        + arm.backend() + " has " + arm.copies().size());
            }
            for (CudaGemmPlan p : arm.copies()) {
                if (p.context != context || p.in != first.in || p.out != first.out || p.dtype != first.dtype) {
                    throw new IllegalArgumentException("benchmark: " + p + " is not a " + first.dtype + " ["
                            + first.out + ", " + first.in + "] plan of this context, as " + first + " is");
                }
            }
        }
        for (int c = 0; c < copies; c++) {
            first.checkBuffers(tokens, xs.get(c), ys.get(c));
        }
        int a = arms.size();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment plans = call.allocate(ValueLayout.ADDRESS, (long) a * copies);
            MemorySegment backends = call.allocate(ValueLayout.JAVA_INT, a);
            MemorySegment xp = call.allocate(ValueLayout.ADDRESS, copies);
            MemorySegment yp = call.allocate(ValueLayout.ADDRESS, copies);
            MemorySegment ms = call.allocate(ValueLayout.JAVA_FLOAT, (long) iterations * a);
            synchronized (context) {
                for (int i = 0; i < a; i++) {
                    backends.setAtIndex(ValueLayout.JAVA_INT, i, arms.get(i).backend().code);
                    for (int c = 0; c < copies; c++) {
                        plans.setAtIndex(ValueLayout.ADDRESS, (long) i * copies + c, arms.get(i).copies().get(c).handle());
                    }
                }
                for (int c = 0; c < copies; c++) {
                    xp.setAtIndex(ValueLayout.ADDRESS, c, xs.get(c).pointer());
                    yp.setAtIndex(ValueLayout.ADDRESS, c, ys.get(c).pointer());
                }
                CudaContext.check(Prune4jH.prune4j_gemm_benchmark(context.handle(), a, plans, backends, copies, tokens,
                        xp, yp, flushL2 ? Prune4jH.P4J_BENCH_FLUSH_L2 : 0, warmupMs, iterations, ms),
                        "prune4j_gemm_benchmark(" + first.name + ", " + a + " arms x " + copies + " copies, " + tokens
                                + " tokens)");
            }
            float[][] out = new float[iterations][a];
            for (int i = 0; i < iterations; i++) {
                for (int j = 0; j < a; j++) {
                    out[i][j] = ms.getAtIndex(ValueLayout.JAVA_FLOAT, (long) i * a + j);
                }
            }
            return out;
        }
    }

    /** The native call's limits, checked here first so a bad call fails in Java with the numbers. */
    static void checkBenchmarkCounts(int arms, int copies, int xs, int ys, int warmupMs, int iterations) {
        if (arms < 1 || arms > 16 || copies < 1 || copies > 1024) {
            throw new IllegalArgumentException("benchmark: " + arms + " arms (1..16) of " + copies
                    + " copies (1..1024) out of range");
        }
        if (xs != copies || ys != copies) {
            throw new IllegalArgumentException("benchmark: " + copies + " copies need as many x and y buffers, got "
                    + xs + " and " + ys);
        }
        if (iterations < 1 || iterations > 1_000_000 || warmupMs < 0 || warmupMs > 600_000) {
            throw new IllegalArgumentException("benchmark: iterations " + iterations + " (1..1000000) or warm-up "
                    + warmupMs + " ms (0..600000) out of range");
        }
    }

    /**
     * Device memory bandwidth for a byte limit: milliseconds of each of {@code iterations} reads of a
     * fresh buffer of {@code bytes} (a multiple of 4096, at least 1 MiB; take 1 GiB or more, far
     * beyond the L2), L2 scrubbed before each, after three untimed reads. Waits for the device.
     */
    public static float[] readBandwidth(CudaContext context, long bytes, int iterations) {
        checkBandwidthArguments(bytes, iterations);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment ms = call.allocate(ValueLayout.JAVA_FLOAT, iterations);
            synchronized (context) {
                CudaContext.check(Prune4jH.prune4j_device_read_bandwidth(context.handle(), bytes, iterations, ms),
                        "prune4j_device_read_bandwidth(" + bytes + " bytes)");
            }
            return ms.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    static void checkBandwidthArguments(long bytes, int iterations) {
        if (bytes < 1L << 20 || bytes % 4096 != 0) {
            throw new IllegalArgumentException("bandwidth read of " + bytes
                    + " bytes: not a multiple of 4096 of at least 1 MiB");
        }
        if (iterations < 1 || iterations > 100_000) {
            throw new IllegalArgumentException("bandwidth read: iterations " + iterations + " not in 1..100000");
        }
    }

    /** The weight as the backend keeps it, converted back to the canonical 2:4 form (round-trip checks). */
    public Sparse24 exportSparse24(Backend backend, Arena into) {
        if (!sparse) {
            throw new IllegalStateException("layer '" + name + "' has a dense plan");
        }
        Tensor values = Tensor.allocate(into, name + ".values", dtype, out, in / 2);
        Tensor meta = Tensor.allocate(into, name + ".meta", DType.U8, out, Sparse24.metaBytesPerRow(in));
        synchronized (context) {
            CudaContext.check(Prune4jH.prune4j_gemm_export_sparse24(handle(), backend.code, values.data(), meta.data()),
                    "prune4j_gemm_export_sparse24(" + name + ", " + backend + ")");
        }
        return new Sparse24(name, out, in, values, meta);
    }

    private void checkBuffers(long tokens, DeviceBuffer x, DeviceBuffer y) {
        long e = dtype.byteSize();
        if (tokens < 1 || x.byteSize() < tokens * in * e || y.byteSize() < tokens * out * e) {
            throw new IllegalArgumentException("layer '" + name + "' [" + out + ", " + in + "]: " + tokens
                    + " tokens need device buffers of " + tokens * in * e + " and " + tokens * out * e + " bytes");
        }
        checkAligned(x.pointer().address(), "x of layer '" + name + "'");
        checkAligned(y.pointer().address(), "y of layer '" + name + "'");
    }

    /** The kernels load and store 16 bytes at a time: a device pointer they take must be 16-byte aligned. */
    static void checkAligned(long address, String what) {
        if (address % 16 != 0) {
            throw new IllegalArgumentException(what + ": device address 0x" + Long.toHexString(address)
                    + " is not 16-byte aligned");
        }
    }

    private MemorySegment handle() {
        if (handle == null) {
            throw new IllegalStateException("GEMM plan of '" + name + "' is closed");
        }
        return handle;
    }

    public boolean isSparse() {
        return sparse;
    }

    public DType dtype() {
        return dtype;
    }

    @Override
    public void close() {
        synchronized (context) {
            if (handle == null) {
                return;
            }
            MemorySegment h = handle;
            handle = null;
            context.unregister(this);
            if (!context.isClosed()) {
                CudaContext.check(Prune4jH.prune4j_gemm_plan_destroy(h), "prune4j_gemm_plan_destroy(" + name + ")");
            }
        }
    }

    @Override
    public String toString() {
        return "CudaGemmPlan[" + name + " " + (sparse ? "2:4 " : "dense ") + dtype + "[" + out + ", " + in + "]]";
    }
}
