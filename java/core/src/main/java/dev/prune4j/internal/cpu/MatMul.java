package dev.prune4j.internal.cpu;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.internal.vector.VectorGate;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code C += alpha * A * B} on row-major F32 segments, blocked the way BLAS libraries do it
 * (Goto and van de Geijn): for each block of {@link #K_BLOCK} of the k dimension, A and B are
 * packed once (in parallel) into groups of the kernel's tile height and panels of its tile width,
 * shared by all threads; C is cut into tasks of {@link #ROW_BLOCK} x {@link #COL_BLOCK}. Inside
 * a task, one packed group of A rows (a few KB, stays in L1) meets every B panel of the task (about
 * {@code K_BLOCK x COL_BLOCK} floats, stays in L2), one register tile at a time.
 *
 * <p>A {@link Triangle} restricts the work to the register tiles that touch the upper or lower
 * triangle of a square C (symmetric rank-k updates: the Hessian, the Cholesky trailing update).
 * Whole tiles are computed, so a few elements across the diagonal get updated too; callers ignore
 * or overwrite them.
 */
final class MatMul {
    /** k per packed block: one B panel ({@code K_BLOCK x NR}) and one A group fit in L1 together. */
    static final int K_BLOCK = 256;
    static final int ROW_BLOCK = 256;
    static final int COL_BLOCK = 512;

    enum Triangle { FULL, UPPER, LOWER }

    private MatMul() {}

    private static final class Holder {
        static final MatMulKernel KERNEL = VectorGate.pick("matrix kernels", MatMulKernel.class,
                "dev.prune4j.internal.cpu.VectorMatMulKernel", ScalarMatMulKernel::new);
    }

    static MatMulKernel kernel() {
        return Holder.KERNEL;
    }

    /** Which kernel runs: {@code Vector API, 512-bit} or {@code scalar}. */
    static String kernelDescription() {
        return Holder.KERNEL.description();
    }

    /**
     * {@code C[m x n] += alpha * A[m x k] * B[k x n]}; offsets and leading dimensions in elements.
     */
    static void multiplyAdd(Parallel par, Triangle triangle, int m, int n, int k, float alpha,
                                   MemorySegment a, long aOff, int lda,
                                   MemorySegment b, long bOff, int ldb,
                                   MemorySegment c, long cOff, int ldc) {
        multiplyAdd(par, triangle, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, false, c, cOff, ldc);
    }

    /**
     * {@code C[m x n] += alpha * A[m x k] * W^T} for a row-major {@code W [n x k]} (a linear layer's
     * weight: {@code Y += X W^T}); W's rows are packed straight into B's panels, no transpose.
     */
    static void multiplyAddTransposed(Parallel par, int m, int n, int k, float alpha,
                                      MemorySegment a, long aOff, int lda,
                                      MemorySegment w, long wOff, int ldw,
                                      MemorySegment c, long cOff, int ldc) {
        multiplyAdd(par, Triangle.FULL, m, n, k, alpha, a, aOff, lda, w, wOff, ldw, true, c, cOff, ldc);
    }

    private static void multiplyAdd(Parallel par, Triangle triangle, int m, int n, int k, float alpha,
                                    MemorySegment a, long aOff, int lda,
                                    MemorySegment b, long bOff, int ldb, boolean bTransposed,
                                    MemorySegment c, long cOff, int ldc) {
        if (m == 0 || n == 0 || k == 0) {
            return;
        }
        MatMulKernel kernel = Holder.KERNEL;
        int mr = kernel.rowsPerTile();
        int nr = kernel.colsPerTile();
        List<int[]> tasks = tasks(triangle, m, n);
        int rowBlocks = (m + ROW_BLOCK - 1) / ROW_BLOCK;
        int colBlocks = (n + COL_BLOCK - 1) / COL_BLOCK;
        for (int k0 = 0; k0 < k; k0 += K_BLOCK) {
            int kc = Math.min(K_BLOCK, k - k0);
            long aAt = aOff + k0;
            long bAt = bTransposed ? bOff + k0 : bOff + (long) k0 * ldb;
            // Both operands packed once per k block, in parallel, then shared by every task.
            float[] ap = new float[Panels.size(kc, m, mr)];
            float[] bp = new float[Panels.size(kc, n, nr)];
            par.forEach(rowBlocks + colBlocks, blk -> {
                if (blk < rowBlocks) {
                    int r0 = blk * ROW_BLOCK;
                    Panels.packRows(a, aAt + (long) r0 * lda, lda, Math.min(ROW_BLOCK, m - r0), kc, mr, ap, r0 * kc);
                } else {
                    int c0 = (blk - rowBlocks) * COL_BLOCK;
                    if (bTransposed) {
                        // Rows c0.. of W are columns c0.. of B: packing them as "A^T" panels of width NR
                        // gives exactly B's panel layout.
                        Panels.packRows(b, bAt + (long) c0 * ldb, ldb, Math.min(COL_BLOCK, n - c0), kc, nr, bp, c0 * kc);
                    } else {
                        Panels.packColumns(b, bAt + c0, ldb, kc, Math.min(COL_BLOCK, n - c0), nr, bp, c0 * kc);
                    }
                }
            });
            par.forEach(tasks.size(), t -> {
                int[] task = tasks.get(t);
                tiles(kernel, triangle, kc, alpha, ap, 0, bp, 0, task[0], task[1], task[2], task[3], c, cOff, ldc);
            });
        }
    }

    /** The blocks {@code {r0, r1, c0, c1}} of C that touch the triangle. */
    static List<int[]> tasks(Triangle triangle, int m, int n) {
        List<int[]> tasks = new ArrayList<>();
        for (int r0 = 0; r0 < m; r0 += ROW_BLOCK) {
            int r1 = Math.min(m, r0 + ROW_BLOCK);
            for (int c0 = 0; c0 < n; c0 += COL_BLOCK) {
                int c1 = Math.min(n, c0 + COL_BLOCK);
                if (touches(triangle, r0, r1, c0, c1)) {
                    tasks.add(new int[] {r0, r1, c0, c1});
                }
            }
        }
        return tasks;
    }

    private static boolean touches(Triangle triangle, int r0, int r1, int c0, int c1) {
        return switch (triangle) {
            case FULL -> true;
            case UPPER -> c1 - 1 >= r0;
            case LOWER -> c0 <= r1 - 1;
        };
    }

    /**
     * {@code C[r0:r1, c0:c1] += alpha * A * B} from packed operands: {@code ap} holds A's rows from
     * {@code rowBase} in groups of MR, {@code bp} B's columns from {@code colBase} in panels of NR
     * (see {@link Panels}); {@code r0 - rowBase} and {@code c0 - colBase} are multiples of MR and NR.
     */
    static void tiles(MatMulKernel kernel, Triangle triangle, int kc, float alpha,
                      float[] ap, int rowBase, float[] bp, int colBase,
                      int r0, int r1, int c0, int c1, MemorySegment c, long cOff, int ldc) {
        int mr = kernel.rowsPerTile();
        int nr = kernel.colsPerTile();
        for (int r = r0; r < r1; r += mr) {
            int rows = Math.min(mr, r1 - r);
            int aAt = (r - rowBase) * kc;
            for (int col = c0; col < c1; col += nr) {
                int cols = Math.min(nr, c1 - col);
                if (touches(triangle, r, r + rows, col, col + cols)) {
                    kernel.tile(kc, ap, aAt, bp, (col - colBase) * kc, alpha, c, cOff + (long) r * ldc + col, ldc, rows, cols);
                }
            }
        }
    }
}
