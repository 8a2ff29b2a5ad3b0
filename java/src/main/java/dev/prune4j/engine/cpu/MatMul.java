package dev.prune4j.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * {@code C += alpha * A * B} on row-major F32 segments, tiled for the caches and split over threads.
 * Tiles of {@link #ROW_BLOCK} x {@link #COL_BLOCK} of C are the parallel tasks; inside a task the k
 * dimension goes in chunks of {@link #K_BLOCK} so that the B panel of one column tile stays in L1
 * while the rows of the task sweep over it.
 *
 * <p>A {@link Triangle} restricts the work to the tiles that touch the upper or lower triangle of a
 * square C (symmetric rank-k updates: the Hessian, the Cholesky trailing update). Whole tiles are
 * computed, so a few elements across the diagonal get updated too; callers ignore or overwrite them.
 */
public final class MatMul {
    private static final Logger LOG = Logger.getLogger(MatMul.class.getName());
    static final int ROW_BLOCK = 64;
    static final int COL_BLOCK = 256;
    static final int K_BLOCK = 256;

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
        List<int[]> tiles = new ArrayList<>();
        for (int r0 = 0; r0 < m; r0 += ROW_BLOCK) {
            int r1 = Math.min(m, r0 + ROW_BLOCK);
            for (int c0 = 0; c0 < n; c0 += COL_BLOCK) {
                int c1 = Math.min(n, c0 + COL_BLOCK);
                boolean wanted = switch (triangle) {
                    case FULL -> true;
                    case UPPER -> c1 > r0;
                    case LOWER -> c0 < r1;
                };
                if (wanted) {
                    tiles.add(new int[] {r0, r1, c0, c1});
                }
            }
        }
        par.forEach(tiles.size(), t -> {
            int[] tile = tiles.get(t);
            for (int k0 = 0; k0 < k; k0 += K_BLOCK) {
                int kc = Math.min(K_BLOCK, k - k0);
                kernel.block(alpha, k0, kc, tile[0], tile[1], tile[2], tile[3], a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            }
        });
    }
}
