package dev.prune4j.engine;

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

    @Override
    default void close() {}

    /** A keep-mask and the number of ties at the threshold it pruned. */
    record ThresholdMask(Mask mask, long tiesPruned) {}
}
