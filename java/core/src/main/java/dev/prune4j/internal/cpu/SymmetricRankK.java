package dev.prune4j.internal.cpu;

import static dev.prune4j.internal.tensor.LittleEndian.F32;

import dev.prune4j.internal.parallel.Parallel;

import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The Hessian's symmetric rank-k update {@code H += (s X)^T (s X)} for inputs {@code X [tokens, n]}
 * of any prunable dtype: only the register tiles touching the upper triangle are computed (about
 * half the flops of a full product); {@link #mirrorUpper} copies the result below the diagonal.
 *
 * <p>For {@code A = X^T} and {@code B = X}, both packed operands of {@link MatMul} are made from the
 * same rows of X: a chunk of {@link #TOKEN_CHUNK} tokens is read (F16/BF16 converted and scaled once
 * per element), and each row is written straight into the A groups and the B panels, which all
 * threads then share. No transposition, no per-task packing.
 */
final class SymmetricRankK {
    static final int TOKEN_CHUNK = MatMul.K_BLOCK;
    /** Tokens read per parallel task when packing. */
    private static final int ROWS_PER_TASK = 16;
    private static final int MIRROR_BLOCK = 64;

    private SymmetricRankK() {}

    /** Upper triangle (and a few tiles across the diagonal) of {@code h [n x n]} += {@code (s X)^T (s X)}. */
    static void update(Parallel par, Tensor x, float scale, MemorySegment h, int n) {
        MatMulKernel kernel = MatMul.kernel();
        int mr = kernel.rowsPerTile();
        int nr = kernel.colsPerTile();
        List<int[]> tasks = MatMul.tasks(MatMul.Triangle.UPPER, n, n);
        long tokens = x.rows();
        int chunk = (int) Math.min(TOKEN_CHUNK, tokens);
        float[] fullA = new float[Panels.size(chunk, n, mr)];
        float[] fullB = new float[Panels.size(chunk, n, nr)];
        for (long t0 = 0; t0 < tokens; t0 += TOKEN_CHUNK) {
            int kc = (int) Math.min(TOKEN_CHUNK, tokens - t0);
            long first = t0;
            // Panels of kc rows; a shorter last chunk gets fresh arrays so the padding past column n is zero.
            float[] ap = kc == chunk ? fullA : new float[Panels.size(kc, n, mr)];
            float[] bp = kc == chunk ? fullB : new float[Panels.size(kc, n, nr)];
            par.forEach((kc + ROWS_PER_TASK - 1) / ROWS_PER_TASK, task -> {
                float[] row = new float[n];
                short[] halves = new short[n];
                int pEnd = Math.min(kc, (task + 1) * ROWS_PER_TASK);
                for (int p = task * ROWS_PER_TASK; p < pEnd; p++) {
                    Rows.read(x, first + p, 0, n, row, halves);
                    for (int j = 0; j < n; j++) {
                        row[j] *= scale;
                    }
                    Panels.scatterRow(row, n, p, kc, mr, ap);
                    Panels.scatterRow(row, n, p, kc, nr, bp);
                }
            });
            par.forEach(tasks.size(), t -> {
                int[] task = tasks.get(t);
                MatMul.tiles(kernel, MatMul.Triangle.UPPER, kc, 1f, ap, 0, bp, 0, task[0], task[1], task[2], task[3], h, 0, n);
            });
        }
    }

    /** {@code h[i][j] = h[j][i]} for {@code j < i}, block by block so that both sides are read in rows. */
    static void mirrorUpper(Parallel par, MemorySegment h, int n) {
        int blocks = (n + MIRROR_BLOCK - 1) / MIRROR_BLOCK;
        par.forEach(blocks, bi -> {
            int i0 = bi * MIRROR_BLOCK;
            int i1 = Math.min(n, i0 + MIRROR_BLOCK);
            float[] upper = new float[MIRROR_BLOCK * MIRROR_BLOCK];
            float[] lower = new float[MIRROR_BLOCK];
            // Rows [i0, i1) of the lower triangle, filled from columns [i0, i1) of the upper one.
            for (int j0 = 0; j0 <= i0; j0 += MIRROR_BLOCK) {
                int j1 = Math.min(n, j0 + MIRROR_BLOCK);
                int w = i1 - i0;
                for (int j = j0; j < j1; j++) {
                    MemorySegment.copy(h, F32, ((long) j * n + i0) * 4, upper, (j - j0) * MIRROR_BLOCK, w);
                }
                for (int i = i0; i < i1; i++) {
                    int jEnd = Math.min(j1, i);
                    for (int j = j0; j < jEnd; j++) {
                        lower[j - j0] = upper[(j - j0) * MIRROR_BLOCK + (i - i0)];
                    }
                    if (jEnd > j0) {
                        MemorySegment.copy(lower, 0, h, F32, ((long) i * n + j0) * 4, jEnd - j0);
                    }
                }
            }
        });
    }
}
