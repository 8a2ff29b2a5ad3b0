package dev.prune4j.internal.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The register-blocked inner kernel of {@link MatMul}, on packed operands (see {@link Panels}):
 * one tile of {@link #rowsPerTile()} x {@link #colsPerTile()} elements of C, accumulated over a
 * whole k block in registers and added to C once. Two implementations: one on the Vector API, one
 * in plain Java. They differ only in this tile; packing and blocking are shared in {@link MatMul}.
 */
interface MatMulKernel {
    /** MR: rows of C per tile; the width of the packed A groups. */
    int rowsPerTile();

    /** NR: columns of C per tile; the width of the packed B panels. */
    int colsPerTile();

    /**
     * {@code C[0:rows, 0:cols] += alpha * sum_{p < kc} a[aAt + p*MR + i] * b[bAt + p*NR + j]}, with C's
     * element (0, 0) at element {@code cAt} of {@code c} (row-major F32, row stride {@code ldc}).
     * The packed operands are zero-padded to whole tiles; {@code rows <= MR}, {@code cols <= NR}
     * only limit what is written.
     */
    void tile(int kc, float[] a, int aAt, float[] b, int bAt, float alpha,
              MemorySegment c, long cAt, int ldc, int rows, int cols);

    /**
     * {@code C[r0:r1, c0:c1] += alpha * A[r0:r1, k0:k0+kc] * B[k0:k0+kc, c0:c1]} on row-major F32
     * segments (offsets and leading dimensions in elements): packs both blocks and runs the tiles.
     */
    default void block(float alpha, int k0, int kc, int r0, int r1, int c0, int c1,
                       MemorySegment a, long aOff, int lda,
                       MemorySegment b, long bOff, int ldb,
                       MemorySegment c, long cOff, int ldc) {
        float[] ap = Panels.packRows(a, aOff + (long) r0 * lda + k0, lda, r1 - r0, kc, rowsPerTile());
        float[] bp = Panels.packColumns(b, bOff + (long) k0 * ldb + c0, ldb, kc, c1 - c0, colsPerTile());
        MatMul.tiles(this, MatMul.Triangle.FULL, kc, alpha, ap, r0, bp, c0, r0, r1, c0, c1, c, cOff, ldc);
    }

    /**
     * {@code y[yAt + c*yStride + r] -= x[xAt + r] * s[sAt + c]} for {@code c < count}, {@code r < n}:
     * a rank-one update of {@code count} rows of y, each computed as a product then a subtraction
     * (the same two roundings as the plain expression).
     */
    void subtractOuter(float[] y, int yAt, int yStride, int count, float[] x, int xAt, float[] s, int sAt, int n);

    String description();
}
