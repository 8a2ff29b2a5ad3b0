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
 * RIA's scores, OWL's score reductions and SparseSwaps' kernels on the CUDA engine (native/src:
 * ria_scores, score_reductions, mask_swaps) on device-resident tensors. Only scalars and the mask's
 * words (one bit per weight, for the swaps) cross the bus. Callers hold the context's lock.
 */
final class MethodKernels {
    private MethodKernels() {}

    static void riaScores(CudaContext context, Tensor w, Tensor normSq, long tokens, double exponent, Tensor scores) {
        CudaContext.check(Prune4jH.prune4j_ria_scores(context.handle(), w.data(), CudaEngine.dtypeCode(w), w.rows(),
                w.cols(), normSq.data(), tokens, exponent, scores.data()), "prune4j_ria_scores on '" + w.name() + "'");
    }

    static double scoreSum(CudaContext context, Tensor t) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sum = arena.allocate(ValueLayout.JAVA_DOUBLE);
            CudaContext.check(Prune4jH.prune4j_score_sum(context.handle(), t.data(), t.numel(), sum),
                    "prune4j_score_sum on '" + t.name() + "'");
            return sum.get(ValueLayout.JAVA_DOUBLE, 0);
        }
    }

    static long countAbove(CudaContext context, Tensor t, float threshold) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(ValueLayout.JAVA_LONG);
            CudaContext.check(Prune4jH.prune4j_count_above(context.handle(), t.data(), t.numel(), threshold, count),
                    "prune4j_count_above on '" + t.name() + "'");
            return count.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    static void hessianProduct(CudaContext context, Tensor d, Tensor h, Tensor out) {
        CudaContext.check(Prune4jH.prune4j_hessian_product(context.handle(), d.data(), d.rows(), d.cols(), h.data(),
                out.data()), "prune4j_hessian_product on '" + d.name() + "' " + d.shapeString());
    }

    /** The swaps of every row; {@code keep} goes to the device and comes back with the swapped bits. */
    static long maskSwaps(CudaContext context, Tensor w, Tensor v, Tensor g, Tensor h, Mask keep, int group,
                          int maxSwapsPerRow, int candidates, double tolerance) {
        MemorySegment words = MemorySegment.ofArray(keep.words());
        try (Arena arena = Arena.ofConfined(); DeviceBuffer keepWords = context.allocate(Math.max(8, words.byteSize()))) {
            if (words.byteSize() > 0) {
                context.copyToDevice(words, keepWords, 0);
            }
            MemorySegment swaps = arena.allocate(ValueLayout.JAVA_LONG);
            CudaContext.check(Prune4jH.prune4j_mask_swaps(context.handle(), w.data(), v.data(), g.data(), h.data(),
                    w.rows(), w.cols(), keepWords.pointer(), group, maxSwapsPerRow, candidates, tolerance, swaps),
                    "prune4j_mask_swaps on '" + w.name() + "' " + w.shapeString());
            long made = swaps.get(ValueLayout.JAVA_LONG, 0);
            // Rows that did not swap leave their bits as they were: no copy back needed then.
            if (made > 0 && words.byteSize() > 0) {
                context.copyToHost(keepWords, 0, words);
            }
            return made;
        }
    }
}
