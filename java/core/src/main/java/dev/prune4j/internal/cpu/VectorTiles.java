package dev.prune4j.internal.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The per-dtype parts of the vector decode kernels ({@link F32Tiles}, {@link Bf16Tiles},
 * {@link F16Tiles}, generated from one template).
 */
interface VectorTiles {
    /**
     * The dense tiles: the weight rows {@code [r0, r1)} of {@code w} (rows of {@code in}) in tiles of 4
     * rows against the tokens {@code [t, t + m)} of {@code x}, at most 1, 2 or 4 of them; writes
     * {@code out[token * ldo + row - o0]}, F32.
     */
    void dense1(MemorySegment w, int in, int r0, int r1, float[] x, int t, int m, float[] out, int o0,
                int ldo);

    void dense2(MemorySegment w, int in, int r0, int r1, float[] x, int t, int m, float[] out, int o0,
                int ldo);

    void dense4(MemorySegment w, int in, int r0, int r1, float[] x, int t, int m, float[] out, int o0,
                int ldo);

    /**
     * The direct 2:4 tiles, for one or two tokens: as the dense ones, with the row's values widened
     * and its metadata decoded in the loop; the layout of {@link dev.prune4j.sparse.Sparse24}.
     */
    void sparse1(MemorySegment values, MemorySegment meta, int in, int r0, int r1, float[] x, int t, int m,
                 float[] out, int o0, int ldo);

    void sparse2(MemorySegment values, MemorySegment meta, int in, int r0, int r1, float[] x, int t, int m,
                 float[] out, int o0, int ldo);

    /**
     * One token against the rows {@code [r0, r1)}: the range cut into four contiguous parts read side
     * by side (row {@code i} of every part in one pass, one accumulator each), the rows left over one
     * by one; writes {@code out[t * ldo + row - o0]}, F32.
     */
    void denseRows1(MemorySegment w, int in, int r0, int r1, float[] x, int t, float[] out, int o0, int ldo);

    /** As {@link #denseRows1}, for 2:4 rows decoded in the loop. */
    void sparseRows1(MemorySegment values, MemorySegment meta, int in, int r0, int r1, float[] x, int t,
                     float[] out, int o0, int ldo);

    /**
     * Decodes {@code steps} vector steps of one 2:4 row, its values from element {@code v} and its
     * metadata from byte {@code mm} (the layout of {@link dev.prune4j.sparse.Sparse24}): the kept
     * values as F32 into {@code vals[at ..)} and their positions inside each step's {@code 2 L}
     * inputs into {@code pos[at ..)}, one vector of {@code L} per step.
     */
    void stage(MemorySegment values, MemorySegment meta, long v, long mm, int steps, float[] vals, int[] pos, int at);
}
