package dev.prune4j.cuda;

import dev.prune4j.sparse.DeviceTiming;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.Prune4jH;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;

/**
 * The linear-layer GEMMs on a CUDA device ({@link CudaGemmPlan}): cuBLASLt for dense weights, and
 * for 2:4 weights the decode kernel (up to the context's decode threshold, at most 16 tokens) or
 * CUTLASS's sparse tensor-core GEMM. Layers
 * built with {@link LinearKernels#prepareDense}/{@link LinearKernels#prepareSparse24} (as
 * {@link dev.prune4j.sparse.SparseLinear} does) keep their weight on the device.
 *
 * <p>The GPU takes F16 and BF16 with activations of the weight's dtype. Any other combination (an
 * F32 weight, F32 activations) runs on the CPU kernels instead: {@link #description()} says so,
 * and the results agree within the usual F32-accumulation tolerance.
 */
public final class CudaLinearKernels implements LinearKernels, DeviceTiming {
    /** Device time of the last GPU forward on each thread; -1 when it ran on the CPU or not at all. */
    private static final ThreadLocal<long[]> LAST_KERNEL_NANOS = ThreadLocal.withInitial(() -> new long[] {-1});

    private final CudaContext context;
    private final String device;
    private final LinearKernels fallback;

    /** GEMMs on {@code context}'s device; {@code fallback} (the CPU kernels) runs what the GPU does not take. */
    public CudaLinearKernels(CudaContext context, String device, LinearKernels fallback) {
        this.context = context;
        this.device = device;
        this.fallback = fallback;
    }

    @Override
    public String description() {
        // AUTO follows the context's decode threshold (measured by CudaGemmPlan.tuneDecode where a
        // benchmark or caller set it, else the library's default) and any per-plan tuning.
        return "cuda linear kernels on " + device + " (cuBLASLt dense; 2:4: decode kernel up to the decode threshold "
                + "(default " + Prune4jH.P4J_DECODE_DEFAULT_MAX_TOKENS + " tokens), CUTLASS sparse beyond; F16/BF16 only, "
                + "other dtypes on " + fallback.description() + ")";
    }

    static boolean onGpu(DType weight, Tensor x, Tensor y) {
        return CudaGemmPlan.supports(weight) && x.dtype() == weight && y.dtype() == weight;
    }

    @Override
    public Prepared prepareDense(Tensor w, Tensor bias) {
        if (!CudaGemmPlan.supports(w.dtype())) {
            return fallback.prepareDense(w, bias);
        }
        return new OnDevice(CudaGemmPlan.dense(context, w, bias), w.dtype(), () -> fallback.prepareDense(w, bias));
    }

    @Override
    public Prepared prepareSparse24(Sparse24 w, Tensor bias) {
        if (!CudaGemmPlan.supports(w.dtype())) {
            return fallback.prepareSparse24(w, bias);
        }
        return new OnDevice(CudaGemmPlan.sparse24(context, w, bias), w.dtype(), () -> fallback.prepareSparse24(w, bias));
    }

    /** Every forward copies its result back to the host before returning, so nothing is left queued. */
    @Override
    public void synchronize() {}

    @Override
    public long lastKernelNanos() {
        return LAST_KERNEL_NANOS.get()[0];
    }

    /** A plan on the device; activations of another dtype go to the CPU kernels (prepared on first such call). */
    private static final class OnDevice implements Prepared {
        private final CudaGemmPlan plan;
        private final DType dtype;
        private final java.util.function.Supplier<Prepared> cpuLayer;
        private Prepared cpu;

        OnDevice(CudaGemmPlan plan, DType dtype, java.util.function.Supplier<Prepared> cpuLayer) {
            this.plan = plan;
            this.dtype = dtype;
            this.cpuLayer = cpuLayer;
        }

        @Override
        public void forward(Tensor x, Tensor y) {
            if (onGpu(dtype, x, y)) {
                LAST_KERNEL_NANOS.get()[0] = plan.forwardTimed(CudaGemmPlan.Backend.AUTO, x, y);
                return;
            }
            LAST_KERNEL_NANOS.get()[0] = -1;
            synchronized (this) {
                if (cpu == null) {
                    cpu = cpuLayer.get();
                }
            }
            cpu.forward(x, y);
        }

        @Override
        public void close() {
            plan.close();
            if (cpu != null) {
                cpu.close();
            }
        }
    }
}
