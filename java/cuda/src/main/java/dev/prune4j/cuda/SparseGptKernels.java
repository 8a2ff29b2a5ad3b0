package dev.prune4j.cuda;

import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.DeviceBuffer;
import dev.prune4j.bindings.Prune4jH;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * SparseGPT's kernels on the CUDA engine (native/src: cholesky_cusolver, obs_*, quadratic_form)
 * on a device-resident layer: the Java block loop of {@code SparseGpt} calls them block by block;
 * only the block masks' words (one bit per weight of a block) cross the bus per block. Callers hold
 * the context's lock.
 */
final class SparseGptKernels {
    private SparseGptKernels() {}

    /** The upper Cholesky factor of {@code h}'s inverse in place; false when {@code h} is not positive definite. */
    static boolean choleskyInverseUpper(CudaContext context, Tensor h) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(ValueLayout.JAVA_INT);
            int status = Prune4jH.prune4j_cholesky_inverse_upper(context.handle(), h.data(), h.cols(), info);
            if (status == Prune4jH.P4J_ERR_NOT_POSITIVE_DEFINITE) {
                return false;
            }
            CudaContext.check(status, "prune4j_cholesky_inverse_upper on '" + h.name() + "' " + h.shapeString());
            return true;
        }
    }

    static void obsScores(CudaContext context, Tensor w, Tensor hinv, int from, int to, Tensor scores) {
        CudaContext.check(Prune4jH.prune4j_obs_scores(context.handle(), w.data(), w.rows(), w.cols(), hinv.data(), from,
                to, scores.data()), "prune4j_obs_scores on '" + w.name() + "'");
    }

    /** The OBS step of one block; {@code blockKeep} is read (unstructured) or written (N:M) through the device. */
    static void obsBlock(CudaContext context, Tensor w, Tensor hinv, int from, int to, Mask blockKeep, int nmN,
                         int nmM, Tensor err) {
        MemorySegment words = MemorySegment.ofArray(blockKeep.words());
        try (DeviceBuffer keep = context.allocate(Math.max(8, words.byteSize()))) {
            if (words.byteSize() > 0) {
                context.copyToDevice(words, keep, 0);
            }
            CudaContext.check(Prune4jH.prune4j_obs_block(context.handle(), w.data(), w.rows(), w.cols(), hinv.data(), from,
                    to, keep.pointer(), nmN, nmM, err.data()), "prune4j_obs_block on '" + w.name() + "' [" + from
                    + ", " + to + ")");
            if (nmM > 0 && words.byteSize() > 0) {
                context.copyToHost(keep, 0, words);
            }
        }
    }

    static void trailingUpdate(CudaContext context, Tensor w, Tensor err, Tensor hinv, int from, int to) {
        CudaContext.check(Prune4jH.prune4j_obs_trailing_update(context.handle(), w.data(), w.rows(), w.cols(), err.data(),
                hinv.data(), from, to), "prune4j_obs_trailing_update on '" + w.name() + "'");
    }

    /** {@code trace(D H D^T)} in double. */
    static double rowQuadraticFormSum(CudaContext context, Tensor d, Tensor h) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment result = arena.allocate(ValueLayout.JAVA_DOUBLE);
            CudaContext.check(Prune4jH.prune4j_row_quadratic_form_sum(context.handle(), d.data(),
                    CudaEngine.dtypeCode(d), MemorySegment.NULL, CudaEngine.dtypeCode(d), d.rows(), d.cols(), h.data(),
                    result), "prune4j_row_quadratic_form_sum on '" + d.name() + "'");
            return result.get(ValueLayout.JAVA_DOUBLE, 0);
        }
    }

}
