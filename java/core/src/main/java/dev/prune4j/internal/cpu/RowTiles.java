package dev.prune4j.internal.cpu;

import dev.prune4j.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The decode-side GEMM kernels of the linear layers: {@code out[t][r - r0] = sum_k x[t][k] W[r][k]}
 * for the weight rows {@code [r0, r1)} and the {@code tokens} tokens of {@code x}, read straight
 * from the weight's memory (nothing packed), every weight element loaded and widened once per
 * group of {@link #TOKENS_PER_TILE} tokens. Two implementations with the same results up to the
 * order of the F32 sums: {@link VectorRowTiles} (Vector API) and {@link ScalarRowTiles}.
 *
 * <p>{@code x} holds the tokens as F32, token {@code t} at {@code x[t * in .. t * in + in)};
 * {@code out} is {@code [tokens][r1 - r0]}, F32, overwritten. The weight is {@link WeightKind}
 * {@code kind}: dense {@code [rows, in]} in {@code w}, or 2:4 with the values {@code [rows, in / 2]}
 * and the metadata of {@link dev.prune4j.sparse.Sparse24}.
 */
interface RowTiles {
    /** Tokens that share one load of each weight element. */
    int TOKENS_PER_TILE = 4;
    /** Weight rows that share one load of each activation; callers split the rows in multiples of it. */
    int ROWS_PER_TILE = 4;

    /**
     * How these kernels widen a weight of {@code dtype} whose {@code count} elements start at
     * {@code data} (F16 ones may be looked through once for Inf and NaN).
     */
    WeightKind kindOf(MemorySegment data, DType dtype, long count);

    /**
     * Readies the first {@code count} activations of {@code x} (F32) for weights of {@code kind}, in
     * place (the vector F16 kernels take them scaled by {@code 2^112}); returns the kind to run the
     * kernels with.
     */
    WeightKind prepare(WeightKind kind, float[] x, int count);

    void dense(MemorySegment w, WeightKind kind, int in, int r0, int r1, float[] x, int tokens, float[] out);

    /**
     * The 2:4 kernels; {@code lanes} is what {@link #lanes} made of {@code x} for this call (null
     * where it made nothing).
     */
    void sparse(MemorySegment values, MemorySegment meta, WeightKind kind, int in, int r0, int r1, float[] x,
                MemorySegment lanes, int tokens, float[] out);

    /**
     * A second layout of the {@code tokens} activations of {@code x} ({@code in} each) that
     * {@link #sparse} reads for this many tokens, made once per call and shared by every row range,
     * in {@code arena}, where {@link #usesLanes} says so.
     */
    default MemorySegment lanes(float[] x, int tokens, int in, Arena arena) {
        return null;
    }

    /** Whether {@link #sparse} wants {@link #lanes} for this many tokens. */
    default boolean usesLanes(int tokens) {
        return false;
    }

    /** One line for logs and benchmark reports. */
    String description();
}
