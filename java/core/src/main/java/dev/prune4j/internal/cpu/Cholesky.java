package dev.prune4j.internal.cpu;

import static dev.prune4j.internal.tensor.LittleEndian.F32;

import dev.prune4j.internal.parallel.Parallel;

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
     * Replaces lower triangular L (zeros above the diagonal) by L^-1, also lower triangular. Recursive
     * on halves, {@code [[A, 0], [B, C]]^-1 = [[A^-1, 0], [-C^-1 B A^-1, C^-1]]}, so nearly all the
     * work is two large matrix products per level that keep both threads and the vector kernel busy
     * (the zero triangles are multiplied too: 2n^3/3 flops instead of n^3/3, at a far higher rate
     * than a substitution column by column).
     */
    static void invertLowerInPlace(Parallel par, MemorySegment a, int n) {
        try (Arena arena = Arena.ofShared()) {
            invertLower(par, a, n, 0, n, arena);
        }
    }

    /** Inverts the diagonal block {@code a[o:o+s, o:o+s]} in place. */
    private static void invertLower(Parallel par, MemorySegment a, int n, int o, int s, Arena arena) {
        if (s <= PANEL) {
            invertSmall(a, n, o, s);
            return;
        }
        int h = (s / 2 + PANEL - 1) / PANEL * PANEL; // a whole number of panels, less than s
        int rest = s - h;
        invertLower(par, a, n, o, h, arena);
        invertLower(par, a, n, o + h, rest, arena);
        long b = (long) (o + h) * n + o;      // B: rows o+h.., columns o..o+h
        long c = (long) (o + h) * n + o + h;  // C^-1 now
        MemorySegment t = arena.allocate((long) rest * h * 4, 64); // B A^-1
        MatMul.multiplyAdd(par, MatMul.Triangle.FULL, rest, h, h, 1f, a, b, n, a, (long) o * n + o, n, t, 0, h);
        for (int i = 0; i < rest; i++) {
            a.asSlice((b + (long) i * n) * 4, (long) h * 4).fill((byte) 0);
        }
        MatMul.multiplyAdd(par, MatMul.Triangle.FULL, rest, h, rest, -1f, a, c, n, t, 0, h, a, b, n);
    }

    /** Forward substitution for a small diagonal block, in double on a heap copy. */
    private static void invertSmall(MemorySegment a, int n, int o, int s) {
        double[] l = new double[s * s];
        float[] row = new float[s];
        for (int i = 0; i < s; i++) {
            MemorySegment.copy(a, F32, ((long) (o + i) * n + o) * 4, row, 0, i + 1);
            for (int j = 0; j <= i; j++) {
                l[i * s + j] = row[j];
            }
        }
        double[] x = new double[s * s];
        for (int j = 0; j < s; j++) {
            x[j * s + j] = 1 / l[j * s + j];
            for (int i = j + 1; i < s; i++) {
                double sum = 0;
                for (int p = j; p < i; p++) {
                    sum += l[i * s + p] * x[p * s + j];
                }
                x[i * s + j] = -sum / l[i * s + i];
            }
        }
        for (int i = 0; i < s; i++) {
            for (int j = 0; j <= i; j++) {
                row[j] = (float) x[i * s + j];
            }
            MemorySegment.copy(row, 0, a, F32, ((long) (o + i) * n + o) * 4, i + 1);
        }
    }
}
