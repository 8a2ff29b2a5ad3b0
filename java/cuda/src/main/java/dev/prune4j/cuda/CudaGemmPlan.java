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

/**
 * One linear layer's weight resident on a CUDA device ({@code p4j_gemm_plan*}): uploaded once, in
 * the layouts its backends need (cuBLASLt for a dense weight; for a 2:4 weight the decode kernel,
 * CUTLASS sm_90a or CUTLASS sm_80, derived on the device from the canonical {@link Sparse24} form).
 * F16 and BF16 weights; the activations and outputs have the weight's dtype.
 *
 * <p>Calls are serialised on the {@link CudaContext}, the one lock of the device's stream. A plan
 * is registered with its context, which closes it first when the context itself closes; closing a
 * plan twice, or after its context, does nothing.
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
