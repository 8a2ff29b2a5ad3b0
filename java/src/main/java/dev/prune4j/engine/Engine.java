package dev.prune4j.engine;

import dev.prune4j.engine.cpu.CpuKernels;
import dev.prune4j.engine.cpu.Parallel;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.Tensor;

/**
 * The kernels that pruning algorithms are written against. Two implementations: {@link CpuEngine}
 * (pure Java, always there, the reference in tests) and the CUDA engine. Algorithms
 * ({@code Magnitude}, {@code Wanda}, {@code SparseGpt}) only call these methods, so an engine supplies
 * kernels, never algorithms.
 *
 * <p>Everything here works on magnitudes: the key of element {@code i} of a tensor is
 * {@code |t[i]|} in a {@link KeySpace}. Pruning by a score (Wanda) passes an F32 tensor of
 * non-negative scores. Order among equal magnitudes is always the lower flat index first, so every
 * engine returns the same masks. A NaN element is an error that names the tensor.
 *
 * <p>A {@code live} mask, where accepted, restricts the work to the weights it keeps; weights it
 * prunes stay pruned (iterative magnitude pruning builds each mask on top of the previous one).
 * {@code null} means every weight is live.
 */
public interface Engine extends AutoCloseable {

    /** Short name: {@code cpu} or {@code cuda}. */
    String name();

    /** One line for logs and reports: the device and how it is used. */
    String description();

    /**
     * Adds to {@code histogram} the count of live elements of {@code t} per digit of {@code pass}
     * (only keys matching the pass prefix count).
     *
     * @throws IllegalArgumentException naming the tensor when it holds a NaN
     */
    void magnitudeHistogram(Tensor t, Mask live, KeySpace keys, RadixPass pass, long[] histogram);

    /**
     * Prunes every live element whose key is below {@code threshold}, and the first
     * {@code tiesToPrune} live elements (in flat order) whose key equals it.
     *
     * @return the new keep-mask and how many ties it pruned (fewer than asked when the tensor has
     *         fewer ties; the caller passes the rest on to the next tensor)
     */
    ThresholdMask pruneBelow(Tensor t, Mask live, KeySpace keys, int threshold, long tiesToPrune);

    /**
     * Per row (last dimension), prunes the {@code perRow} smallest live magnitudes, counting the
     * weights {@code live} already prunes in that row against {@code perRow}.
     */
    Mask pruneSmallestPerRow(Tensor t, Mask live, int perRow);

    /**
     * N:M: in each group of {@code m} consecutive elements of a row, keeps the {@code n} largest
     * magnitudes and prunes the others. The row length must be a multiple of {@code m}.
     */
    Mask pruneNm(Tensor t, int n, int m);

    /** Writes {@code src} into {@code dst} (same dtype and shape) with pruned weights set to zero. */
    void applyMask(Tensor src, Mask keep, Tensor dst);

    // ---- Calibration and SparseGPT kernels. The defaults run the pure-Java kernels on one thread,
    // so every engine has them; CpuEngine runs them on its pool, the CUDA engine may replace them.
    // Matrices are row-major F32 unless said otherwise: W [out, in], X [tokens, in], H [in, in].

    /** {@code sumSq[j] += sum_t x[t][j]^2} for {@code x [tokens, in]} in F32, F16 or BF16; {@code sumSq} F32 {@code [in]}. */
    default void accumulateSquaredNorms(Tensor x, Tensor sumSq) {
        CpuKernels.accumulateSquaredNorms(Parallel.SEQUENTIAL, x, sumSq);
    }

    /** {@code H <- decay * H + (s X)^T (s X)} with {@code s = inputScale}; keeps H exactly symmetric. */
    default void hessianUpdate(Tensor h, Tensor x, float decay, float inputScale) {
        CpuKernels.hessianUpdate(Parallel.SEQUENTIAL, h, x, decay, inputScale);
    }

    /** Wanda's metric {@code |W_ij| * sqrt(normSq_j / tokens)} into the F32 tensor {@code scores} (W's shape). */
    default void wandaScores(Tensor w, Tensor normSq, long tokens, Tensor scores) {
        CpuKernels.wandaScores(Parallel.SEQUENTIAL, w, normSq, tokens, scores);
    }

    /**
     * Replaces the symmetric positive definite {@code h} by the upper Cholesky factor of its inverse.
     *
     * @return false, with {@code h} left unspecified, when {@code h} is not positive definite
     */
    default boolean choleskyInverseUpper(Tensor h) {
        return CpuKernels.choleskyInverseUpper(Parallel.SEQUENTIAL, h);
    }

    /** SparseGPT's saliency {@code w^2 / hinv_jj^2} on the columns {@code [from, to)} into {@code scores [out, to - from]}. */
    default void obsScores(Tensor w, Tensor hinv, int from, int to, Tensor scores) {
        CpuKernels.obsScores(Parallel.SEQUENTIAL, w, hinv, from, to, scores);
    }

    /**
     * SparseGPT's column-by-column OBS step on the columns {@code [from, to)}: prunes by
     * {@code blockKeep} (or chooses N:M into it when {@code nmM > 0}), propagates each column's error
     * within the block and writes the scaled errors into {@code err [out, to - from]}.
     */
    default void obsBlock(Tensor w, Tensor hinv, int from, int to, Mask blockKeep, int nmN, int nmM, Tensor err) {
        CpuKernels.obsBlock(Parallel.SEQUENTIAL, w, hinv, from, to, blockKeep, nmN, nmM, err);
    }

    /** SparseGPT's lazy update {@code W[:, to:] -= err @ hinv[from:to, to:]}. */
    default void trailingUpdate(Tensor w, Tensor err, Tensor hinv, int from, int to) {
        CpuKernels.trailingUpdate(Parallel.SEQUENTIAL, w, err, hinv, from, to);
    }

    /** {@code trace(D H D^T)} in double for {@code d [rows, n]} and {@code h [n, n]}. */
    default double rowQuadraticFormSum(Tensor d, Tensor h) {
        return CpuKernels.rowQuadraticFormSum(Parallel.SEQUENTIAL, d, h);
    }

    @Override
    default void close() {}

    /** A keep-mask and the number of ties at the threshold it pruned. */
    record ThresholdMask(Mask mask, long tiesPruned) {}
}
