package dev.prune4j.engine;

import dev.prune4j.internal.cpu.CpuLinearKernels;
import dev.prune4j.mask.KeySpace;
import dev.prune4j.mask.Mask;
import dev.prune4j.mask.RadixPass;
import dev.prune4j.mask.ThresholdMask;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.tensor.Device;
import dev.prune4j.tensor.Tensor;
import java.util.Set;

/**
 * The kernels that pruning algorithms are written against, and the memory they work on. Two
 * implementations: {@link dev.prune4j.engine.cpu.CpuEngine} (pure Java, always there, the reference
 * in tests) and the CUDA engine of prune4j-cuda. An engine supplies kernels, never algorithms: the
 * loops of global selection, Wanda and SparseGPT are written once, in Java, in the facades
 * ({@code MagnitudeSelection}, {@code Wanda}, {@code SparseGpt}, the calibration statistics).
 *
 * <p><b>Memory.</b> An engine owns the memory its kernels work on: every tensor a kernel takes lives
 * on {@link #device()}, allocated or uploaded through an {@link EngineArena} ({@link #openArena()}),
 * so a layer's weight and statistics cross the bus once each way however many kernels run on them.
 * On the CPU engine host tensors are engine tensors and nothing is copied. Masks are host bitsets
 * (1 bit per weight); a device engine moves their words itself.
 *
 * <p><b>Capabilities.</b> {@link #kernels()} lists the kernels an engine has; the others throw
 * {@link UnsupportedKernelException}. No engine forwards to another: a caller that needs kernels an
 * engine lacks runs the whole algorithm on the CPU engine ({@link EngineLease}).
 *
 * <p><b>Arguments</b> are checked once, by the facades, before they call a kernel; kernels assume
 * valid arguments (shapes that fit, N:M patterns that divide the rows, masks that cover the
 * tensor). Engines do check that tensors are on their device ({@link #requireResident}).
 *
 * <p>Magnitude kernels work on keys: the key of element {@code i} is {@code |t[i]|} in a
 * {@link KeySpace}. Pruning by a score (Wanda) passes an F32 tensor of non-negative scores. Order
 * among equal magnitudes is always the lower flat index first, so every engine returns the same
 * masks. A NaN element is a {@link dev.prune4j.tensor.NotANumberException} naming the tensor. A
 * {@code live} mask, where accepted, restricts the work to the weights it keeps; {@code null}
 * means every weight is live.
 *
 * <p>Matrices are row-major: weights {@code W [out, in]}, inputs {@code X [tokens, in]}, Hessians
 * {@code H [in, in]}, statistics F32.
 */
public interface Engine extends AutoCloseable {

    /** Short name: {@code cpu} or {@code cuda}. */
    String name();

    /** One line for logs and reports: the device and how it is used. */
    String description();

    /** Where this engine's tensors live. */
    Device device();

    /** The kernels this engine has. */
    Set<Kernel> kernels();

    default boolean supports(Kernel kernel) {
        return kernels().contains(kernel);
    }

    /** Memory for one piece of work on this engine's device. */
    EngineArena openArena();

    /**
     * Bytes a new device allocation may take now: {@link Long#MAX_VALUE} on the host (upload is
     * free there), the device's free memory otherwise. Algorithms use it to decide whether a whole
     * selection stays resident.
     */
    default long freeMemoryBytes() {
        return Long.MAX_VALUE;
    }

    /**
     * The GEMMs of linear layers on this engine: by default the CPU kernels (Vector API where
     * enabled, on the common pool); device engines supply their own.
     */
    default LinearKernels linearKernels() {
        return CpuLinearKernels.common();
    }

    /** Throws unless every tensor lives on this engine's device. */
    default void requireResident(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null && !t.device().equals(device())) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' is on " + t.device() + ", engine '"
                        + name() + "' works on " + device() + ": upload it through the engine's arena");
            }
        }
    }

    // ---- Magnitude selection (mask kernels).

    /**
     * Adds to {@code histogram} the count of live elements of {@code t} per digit of {@code pass}
     * (only keys matching the pass prefix count).
     */
    default void magnitudeHistogram(Tensor t, Mask live, KeySpace keys, RadixPass pass, long[] histogram) {
        throw new UnsupportedKernelException(this, Kernel.MAGNITUDE_HISTOGRAM);
    }

    /**
     * Prunes every live element whose key is below {@code threshold}, and the first
     * {@code tiesToPrune} live elements (in flat order) whose key equals it.
     */
    default ThresholdMask pruneBelow(Tensor t, Mask live, KeySpace keys, int threshold, long tiesToPrune) {
        throw new UnsupportedKernelException(this, Kernel.PRUNE_BELOW);
    }

    /**
     * Per row (last dimension), prunes the {@code perRow} smallest live magnitudes, counting the
     * weights {@code live} already prunes in that row against {@code perRow}.
     */
    default Mask pruneSmallestPerRow(Tensor t, Mask live, int perRow) {
        throw new UnsupportedKernelException(this, Kernel.PRUNE_SMALLEST_PER_ROW);
    }

    /** N:M: in each group of {@code m} consecutive elements of a row, keeps the {@code n} largest magnitudes. */
    default Mask pruneNm(Tensor t, int n, int m) {
        throw new UnsupportedKernelException(this, Kernel.PRUNE_NM);
    }

    /** Writes {@code src} into {@code dst} (same dtype and shape; may be {@code src}) with pruned weights zero. */
    default void applyMask(Tensor src, Mask keep, Tensor dst) {
        throw new UnsupportedKernelException(this, Kernel.APPLY_MASK);
    }

    // ---- Calibration statistics.

    /** {@code sumSq[j] += sum_t x[t][j]^2} for {@code x [tokens, in]} in F32, F16 or BF16; {@code sumSq} F32 {@code [in]}. */
    default void accumulateSquaredNorms(Tensor x, Tensor sumSq) {
        throw new UnsupportedKernelException(this, Kernel.SQUARED_NORMS);
    }

    /** {@code H <- decay * H + (s X)^T (s X)} with {@code s = inputScale}; keeps H exactly symmetric. */
    default void hessianUpdate(Tensor h, Tensor x, float decay, float inputScale) {
        throw new UnsupportedKernelException(this, Kernel.HESSIAN_UPDATE);
    }

    // ---- Wanda and SparseGPT.

    /** Wanda's metric {@code |W_ij| * sqrt(normSq_j / tokens)} into the F32 tensor {@code scores} (W's shape). */
    default void wandaScores(Tensor w, Tensor normSq, long tokens, Tensor scores) {
        throw new UnsupportedKernelException(this, Kernel.WANDA_SCORES);
    }

    /**
     * Replaces the symmetric positive definite F32 {@code h} by the upper Cholesky factor of its inverse.
     *
     * @return false, with {@code h} left unspecified, when {@code h} is not positive definite
     */
    default boolean choleskyInverseUpper(Tensor h) {
        throw new UnsupportedKernelException(this, Kernel.CHOLESKY_INVERSE);
    }

    /** SparseGPT's saliency {@code w^2 / hinv_jj^2} on the columns {@code [from, to)} into {@code scores [out, to - from]}. */
    default void obsScores(Tensor w, Tensor hinv, int from, int to, Tensor scores) {
        throw new UnsupportedKernelException(this, Kernel.OBS_SCORES);
    }

    /**
     * SparseGPT's column-by-column OBS step on the columns {@code [from, to)} of the F32 working
     * weights {@code w}: prunes by {@code blockKeep} (or chooses N:M into it when {@code nmM > 0}),
     * propagates each column's error within the block and writes the scaled errors into
     * {@code err [out, to - from]}.
     */
    default void obsBlock(Tensor w, Tensor hinv, int from, int to, Mask blockKeep, int nmN, int nmM, Tensor err) {
        throw new UnsupportedKernelException(this, Kernel.OBS_BLOCK);
    }

    /** SparseGPT's lazy update {@code W[:, to:] -= err @ hinv[from:to, to:]}. */
    default void trailingUpdate(Tensor w, Tensor err, Tensor hinv, int from, int to) {
        throw new UnsupportedKernelException(this, Kernel.TRAILING_UPDATE);
    }

    /** {@code trace(D H D^T)} in double for F32 {@code d [rows, n]} and {@code h [n, n]}. */
    default double rowQuadraticFormSum(Tensor d, Tensor h) {
        throw new UnsupportedKernelException(this, Kernel.QUADRATIC_FORM);
    }

    // ---- RIA, OWL and mask refinement.

    /**
     * RIA's metric (Zhang et al. 2024, eq. 3): {@code (|W_ij| / sum_k |W_kj| + |W_ij| / sum_k |W_ik|)
     * * (normSq_j / tokens)^(exponent / 2)} into the F32 tensor {@code scores} (W's shape): the
     * weight's share of its input channel plus its share of its output row, times the channel's
     * root mean square to the power {@code exponent}. A row or column whose sum is zero adds 0.
     */
    default void riaScores(Tensor w, Tensor normSq, long tokens, double exponent, Tensor scores) {
        throw new UnsupportedKernelException(this, Kernel.RIA_SCORES);
    }

    /** The sum of the F32 elements of {@code t}, in double (OWL's mean score). */
    default double scoreSum(Tensor t) {
        throw new UnsupportedKernelException(this, Kernel.SCORE_SUM);
    }

    /** How many F32 elements of {@code t} are strictly above {@code threshold} (OWL's outliers). */
    default long countAbove(Tensor t, float threshold) {
        throw new UnsupportedKernelException(this, Kernel.COUNT_ABOVE);
    }

    /** {@code out = D H} for F32 {@code d [rows, n]} and the symmetric {@code h [n, n]}; {@code out} is overwritten. */
    default void hessianProduct(Tensor d, Tensor h, Tensor out) {
        throw new UnsupportedKernelException(this, Kernel.HESSIAN_PRODUCT);
    }

    /**
     * SparseSwaps' 1-swaps, row by row: in the F32 working weights {@code v} (the pruned layer,
     * pruned weights zero) of the original F32 weights {@code w}, with {@code g = (W - V) H} kept up
     * to date, repeatedly unprunes one pruned weight and prunes one kept weight of the same group of
     * {@code group} consecutive columns (the row for unstructured masks, M for N:M) when that lowers
     * the row's error {@code (w - v) H (w - v)^T} by more than {@code tolerance} times it; at most
     * {@code maxSwapsPerRow} swaps a row. {@code candidates > 0} restricts the pairs of a whole-row
     * search to the {@code candidates} best weights to unprune and to prune alone (0: every pair;
     * N:M groups always try every pair).
     * Updates {@code v}, {@code g} and {@code keep} in place; every row keeps its count and every
     * group its count.
     *
     * @return the number of swaps made
     */
    default long maskSwaps(Tensor w, Tensor v, Tensor g, Tensor h, Mask keep, int group, int maxSwapsPerRow,
                           int candidates, double tolerance) {
        throw new UnsupportedKernelException(this, Kernel.MASK_SWAPS);
    }

    @Override
    default void close() {}
}
