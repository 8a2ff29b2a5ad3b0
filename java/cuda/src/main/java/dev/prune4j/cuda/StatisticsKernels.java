package dev.prune4j.cuda;

import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.Prune4jH;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The calibration and Wanda kernels of the CUDA engine (native/src: calib_norms, calib_hessian,
 * wanda_scores) on device-resident tensors. A NaN or infinity the kernels find becomes an error
 * naming the tensor and the position; callers hold the context's lock.
 */
final class StatisticsKernels {
    private StatisticsKernels() {}

    /** {@code sumSq[j] += sum_t x[t][j]^2}. */
    static void accumulateSquaredNorms(CudaContext context, Tensor x, Tensor sumSq) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment badInput = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment badOutput = arena.allocate(ValueLayout.JAVA_LONG);
            int status = Prune4jH.prune4j_accumulate_squared_norms(context.handle(), x.data(), CudaEngine.dtypeCode(x),
                    x.rows(), x.cols(), sumSq.data(), badInput, badOutput);
            checkFinite(status, x, sumSq, badInput, badOutput, "prune4j_accumulate_squared_norms");
        }
    }

    /** {@code H <- decay * H + (s X)^T (s X)}, exactly symmetric. */
    static void hessianUpdate(CudaContext context, Tensor h, Tensor x, float decay, float inputScale) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment badInput = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment badOutput = arena.allocate(ValueLayout.JAVA_LONG);
            int status = Prune4jH.prune4j_hessian_update(context.handle(), h.data(), h.cols(), x.data(),
                    CudaEngine.dtypeCode(x), x.rows(), decay, inputScale, badInput, badOutput);
            checkFinite(status, x, h, badInput, badOutput, "prune4j_hessian_update");
        }
    }

    /** Wanda's {@code |W_ij| * sqrt(normSq_j / tokens)}. */
    static void wandaScores(CudaContext context, Tensor w, Tensor normSq, long tokens, Tensor scores) {
        CudaContext.check(Prune4jH.prune4j_wanda_scores(context.handle(), w.data(), CudaEngine.dtypeCode(w), w.rows(),
                w.cols(), normSq.data(), tokens, scores.data()), "prune4j_wanda_scores on '" + w.name() + "'");
    }

    /** A not-finite status becomes one message naming the input's position, or the statistic that overflowed. */
    private static void checkFinite(int status, Tensor input, Tensor statistic, MemorySegment badInput,
                                    MemorySegment badOutput, String call) {
        if (status == Prune4jH.P4J_ERR_NOT_FINITE) {
            long in = badInput.get(ValueLayout.JAVA_LONG, 0);
            long out = badOutput.get(ValueLayout.JAVA_LONG, 0);
            if (in >= 0) {
                long cols = Math.max(1, input.cols());
                throw new IllegalArgumentException("tensor '" + input.name() + "' " + input.shapeString()
                        + " holds a NaN or infinity at flat index " + in + " (row " + in / cols + ", column "
                        + in % cols + ")");
            }
            throw new IllegalArgumentException("statistics '" + statistic.name() + "' overflow F32 at flat index "
                    + out + " with the inputs '" + input.name() + "': scale the inputs down");
        }
        CudaContext.check(status, call + " on '" + input.name() + "' " + input.shapeString());
    }
}
