package dev.prune4j.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * {@code C += alpha * A * B} on row-major F32 segments, blocked the way BLAS libraries do it
 * (Goto and van de Geijn): for each block of {@link #K_BLOCK} of the k dimension, B is packed once
 * into panels of the kernel's tile width and shared by all threads; C is cut into tasks of
 * {@link #ROW_BLOCK} x {@link #COL_BLOCK}, each packing its rows of A into a per-thread buffer. Inside
 * a task, one packed group of A rows (a few KB, stays in L1) meets every B panel of the task (about
 * {@code K_BLOCK x COL_BLOCK} floats, stays in L2), one register tile at a time.
 *
 * <p>A {@link Triangle} restricts the work to the register tiles that touch the upper or lower
 * triangle of a square C (symmetric rank-k updates: the Hessian, the Cholesky trailing update).
 * Whole tiles are computed, so a few elements across the diagonal get updated too; callers ignore
 * or overwrite them.
 */
public final class MatMul {
    private static final Logger LOG = Logger.getLogger(MatMul.class.getName());
    /** k per packed block: one B panel ({@code K_BLOCK x NR}) and one A group fit in L1 together. */
    static final int K_BLOCK = 256;
    static final int ROW_BLOCK = 256;
    static final int COL_BLOCK = 512;

    public enum Triangle { FULL, UPPER, LOWER }

    private MatMul() {}

    private static final class Holder {
        static final MatMulKernel KERNEL = pick();

        private static MatMulKernel pick() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                LOG.info("matrix kernels: plain Java (run with --add-modules jdk.incubator.vector for the Vector API)");
                return new ScalarMatMulKernel();
            }
            try {
                MatMulKernel k = (MatMulKernel) Class.forName("dev.prune4j.engine.cpu.VectorMatMulKernel")
                        .getDeclaredConstructor().newInstance();
                LOG.fine("matrix kernels: " + k.description());
                return k;
            } catch (ReflectiveOperationException | LinkageError e) {
                LOG.info("matrix kernels: plain Java, the Vector API kernel did not load: " + e);
                return new ScalarMatMulKernel();
            }
        }
    }

    /** Per-thread buffer for the packed rows of A of one task. */
    private static final ThreadLocal<float[][]> A_PACK = ThreadLocal.withInitial(() -> new float[1][]);

    static MatMulKernel kernel() {
        return Holder.KERNEL;
    }

    /** Which kernel runs: {@code Vector API, 512-bit} or {@code scalar}. */
    public static String kernelDescription() {
        return Holder.KERNEL.description();
    }

    /**
     * {@code C[m x n] += alpha * A[m x k] * B[k x n]}; offsets and leading dimensions in elements.
     */
    public static void multiplyAdd(Parallel par, Triangle triangle, int m, int n, int k, float alpha,
                                   MemorySegment a, long aOff, int lda,
                                   MemorySegment b, long bOff, int ldb,
                                   MemorySegment c, long cOff, int ldc) {
        if (m == 0 || n == 0 || k == 0) {
            return;
        }
        MatMulKernel kernel = Holder.KERNEL;
        List<int[]> tasks = tasks(triangle, m, n);
        for (int k0 = 0; k0 < k; k0 += K_BLOCK) {
            int kc = Math.min(K_BLOCK, k - k0);
            long aAt = aOff + k0;
            float[] bp = Panels.packColumns(b, bOff + (long) k0 * ldb, ldb, kc, n, kernel.colsPerTile());
            par.forEach(tasks.size(), t -> {
                int[] task = tasks.get(t);
                int r0 = task[0], r1 = task[1];
                float[][] scratch = A_PACK.get();
                float[] ap = Panels.packRows(a, aAt + (long) r0 * lda, lda, r1 - r0, kc, kernel.rowsPerTile(), scratch[0]);
                scratch[0] = ap;
                tiles(kernel, triangle, kc, alpha, ap, r0, bp, 0, r0, r1, task[2], task[3], c, cOff, ldc);
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
