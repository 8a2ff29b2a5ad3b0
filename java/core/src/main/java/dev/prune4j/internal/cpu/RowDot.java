package dev.prune4j.internal.cpu;

import dev.prune4j.tensor.DType;
import java.lang.foreign.MemorySegment;

/**
 * The inner kernel of the CPU GEMMs: the dot products of one weight row with a tile of tokens,
 * accumulated in F32. Two implementations with the same results up to summation order:
 * {@link ScalarRowDot} (plain Java, the fallback) and {@link VectorRowDot} (Vector API).
 *
 * <p>{@code x} holds the tile row-major as floats: token {@code t} at {@code x[t * in .. t * in + in)}.
 * Results go to {@code out[0 .. tokens)}. {@code scratch} (owned by the calling thread) may hold the
 * row widened to F32, so that it is converted once for all tokens.
 */
interface RowDot {
    /** Dense: {@code w} is {@code [out, in]} in {@code dtype}. */
    void dense(MemorySegment w, DType dtype, int row, int in, float[] x, int tokens, float[] out,
               RowScratch scratch);

    /** 2:4: {@code values} and {@code meta} in the layout of {@link Sparse24}. */
    void sparse(MemorySegment values, MemorySegment meta, DType dtype, int row, int in, float[] x, int tokens,
                float[] out, RowScratch scratch);

    /** One line for logs and benchmark reports. */
    String description();
}
