package dev.prune4j.engine.cpu;

import static dev.prune4j.engine.cpu.Rows.F32;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The inverse factor SparseGPT needs: for a symmetric positive definite {@code H}, the upper
 * triangular {@code U} with {@code U^T U = H^-1} (PyTorch's
 * {@code cholesky(cholesky_inverse(cholesky(H)), upper=True)}).
 *
 * <p>Computed in two triangular steps instead of three, by reversing the order of the variables:
 * with {@code J} the reversal permutation, factor {@code J H J = L L^T}; then {@code H = (J L J)(J L J)^T}
 * with {@code J L J} upper triangular, so {@code H^-1 = U^T U} with {@code U = J L^-1 J}. Cholesky
 * factors with a positive diagonal are unique, so this is the same matrix.
 */
final class Cholesky {
    private static final int PANEL = 64;
    private static final int INVERSE_COLUMNS = 64;

    private Cholesky() {}

    /** Replaces {@code a} (n x n, row-major F32) by U; returns false when it is not positive definite. */
    static boolean inverseUpperFactor(Parallel par, MemorySegment a, int n) {
        reverse(par, a, n);
        if (!lowerInPlace(par, a, n)) {
            return false;
        }
        invertLowerInPlace(par, a, n);
        reverse(par, a, n);
        return true;
    }

    /** {@code a <- J a J}: element (i, j) swaps with (n-1-i, n-1-j). */
    static void reverse(Parallel par, MemorySegment a, int n) {
        int half = (n + 1) / 2;
        par.forEach(half, i -> {
            int ri = n - 1 - i;
            int jEnd = i == ri ? (n + 1) / 2 : n; // the middle row swaps with itself: only half of it
            for (int j = 0; j < jEnd; j++) {
                long p = (long) i * n + j;
                long q = (long) ri * n + (n - 1 - j);
                float x = a.getAtIndex(F32, p);
                a.setAtIndex(F32, p, a.getAtIndex(F32, q));
                a.setAtIndex(F32, q, x);
            }
        });
    }

    /** Blocked right-looking Cholesky; leaves L in the lower triangle and zeros above it. */
    static boolean lowerInPlace(Parallel par, MemorySegment a, int n) {
        try (Arena arena = Arena.ofShared()) {
            for (int k0 = 0; k0 < n; k0 += PANEL) {
                int k1 = Math.min(n, k0 + PANEL);
                // Diagonal block, unblocked (earlier panels' contributions were already subtracted).
                for (int j = k0; j < k1; j++) {
                    double s = a.getAtIndex(F32, (long) j * n + j);
                    for (int p = k0; p < j; p++) {
                        double l = a.getAtIndex(F32, (long) j * n + p);
                        s -= l * l;
                    }
                    if (!(s > 0) || Double.isInfinite(s)) {
                        return false;
                    }
                    float ljj = (float) Math.sqrt(s);
                    a.setAtIndex(F32, (long) j * n + j, ljj);
                    for (int i = j + 1; i < k1; i++) {
                        a.setAtIndex(F32, (long) i * n + j, (float) (dotMinus(a, n, i, j, k0) / ljj));
                    }
                }
                if (k1 == n) {
                    break;
                }
                // Panel below the diagonal block: L21 = A21 L11^-T, row by row, on heap copies.
                final int from = k0;
                final int to = k1;
                int kb = k1 - k0;
                int below = n - k1;
                float[] l11 = new float[kb * kb];
                for (int j = 0; j < kb; j++) {
                    MemorySegment.copy(a, F32, ((long) (from + j) * n + from) * 4, l11, j * kb, j + 1);
                }
                par.forEach((below + 63) / 64, chunk -> {
                    float[] row = new float[kb];
                    int iEnd = Math.min(n, to + (chunk + 1) * 64);
                    for (int i = to + chunk * 64; i < iEnd; i++) {
                        MemorySegment.copy(a, F32, ((long) i * n + from) * 4, row, 0, kb);
                        for (int j = 0; j < kb; j++) {
                            double v = row[j];
                            int lj = j * kb;
                            for (int p = 0; p < j; p++) {
                                v -= (double) row[p] * l11[lj + p];
                            }
                            row[j] = (float) (v / l11[lj + j]);
                        }
                        MemorySegment.copy(row, 0, a, F32, ((long) i * n + from) * 4, kb);
                    }
                });
                // Trailing update A22 -= L21 L21^T (lower triangle), with L21^T packed as the B operand.
                MemorySegment packed = arena.allocate((long) kb * below * 4, 64);
                par.forEach(kb, jj -> {
                    for (int i = 0; i < below; i++) {
                        packed.setAtIndex(F32, (long) jj * below + i, a.getAtIndex(F32, (long) (to + i) * n + from + jj));
                    }
                });
                MatMul.multiplyAdd(par, MatMul.Triangle.LOWER, below, below, kb, -1f,
                        a, (long) k1 * n + k0, n, packed, 0, below, a, (long) k1 * n + k1, n);
            }
        }
        par.forEach(n, i -> a.asSlice(((long) i * n + i + 1) * 4, (long) (n - i - 1) * 4).fill((byte) 0));
        return true;
    }

    /** {@code a[i][j] - sum_{p in [from, j)} a[i][p] * a[j][p]}, in double. */
    private static double dotMinus(MemorySegment a, int n, int i, int j, int from) {
        double s = a.getAtIndex(F32, (long) i * n + j);
        long ri = (long) i * n;
        long rj = (long) j * n;
        for (int p = from; p < j; p++) {
            s -= (double) a.getAtIndex(F32, ri + p) * a.getAtIndex(F32, rj + p);
        }
        return s;
    }

    /**
     * Replaces lower triangular L by L^-1 (also lower triangular). Column blocks of X = L^-1 are
     * independent and run in parallel; each is a blocked forward substitution of L X = I: for every
     * panel of {@link #PANEL} rows, first the product with the rows already solved (one matrix
     * product), then a small triangular solve with the panel's diagonal block.
     */
    static void invertLowerInPlace(Parallel par, MemorySegment a, int n) {
        int blocks = (n + INVERSE_COLUMNS - 1) / INVERSE_COLUMNS;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] results = new MemorySegment[blocks];
            for (int blk = 0; blk < blocks; blk++) {
                int j0 = blk * INVERSE_COLUMNS;
                results[blk] = arena.allocate((long) (n - j0) * Math.min(INVERSE_COLUMNS, n - j0) * 4, 64);
            }
            par.forEach(blocks, blk -> invertColumns(a, n, blk * INVERSE_COLUMNS, results[blk]));
            // Every block reads L, so X is written only after all of them are done.
            par.forEach(blocks, blk -> {
                int j0 = blk * INVERSE_COLUMNS;
                int w = Math.min(INVERSE_COLUMNS, n - j0);
                for (int i = j0; i < n; i++) {
                    int cols = Math.min(w, i - j0 + 1);
                    MemorySegment.copy(results[blk], ((long) (i - j0) * w) * 4, a, ((long) i * n + j0) * 4, (long) cols * 4);
                }
            });
        }
    }

    /** Columns {@code [j0, j0 + w)} of L^-1, rows {@code j0..n-1}, into {@code x [(n - j0) x w]}. */
    private static void invertColumns(MemorySegment a, int n, int j0, MemorySegment x) {
        int w = Math.min(INVERSE_COLUMNS, n - j0);
        float[] panel = new float[PANEL * w];
        float[] lRow = new float[PANEL];
        for (int i0 = j0; i0 < n; i0 += PANEL) {
            int i1 = Math.min(n, i0 + PANEL);
            int height = i1 - i0;
            java.util.Arrays.fill(panel, 0f);
            for (int i = i0; i < i1; i++) {
                if (i - j0 < w) {
                    panel[(i - i0) * w + (i - j0)] = 1f;
                }
            }
            long panelAt = (long) (i0 - j0) * w;
            MemorySegment.copy(panel, 0, x, F32, panelAt * 4, height * w);
            if (i0 > j0) {
                // panel -= L[i0:i1, j0:i0] @ X[j0:i0, :]
                MatMul.multiplyAdd(Parallel.SEQUENTIAL, MatMul.Triangle.FULL, height, w, i0 - j0, -1f,
                        a, (long) i0 * n + j0, n, x, 0, w, x, panelAt, w);
                MemorySegment.copy(x, F32, panelAt * 4, panel, 0, height * w);
            }
            for (int i = i0; i < i1; i++) {
                MemorySegment.copy(a, F32, ((long) i * n + i0) * 4, lRow, 0, i - i0 + 1);
                int row = (i - i0) * w;
                for (int p = i0; p < i; p++) {
                    float l = lRow[p - i0];
                    int base = (p - i0) * w;
                    for (int q = 0; q < w; q++) {
                        panel[row + q] -= l * panel[base + q];
                    }
                }
                float inv = 1f / lRow[i - i0];
                for (int q = 0; q < w; q++) {
                    panel[row + q] *= inv;
                }
            }
            MemorySegment.copy(panel, 0, x, F32, panelAt * 4, height * w);
        }
    }
}
