package dev.prune4j.internal.cpu;

import static dev.prune4j.internal.tensor.LittleEndian.F32;

import dev.prune4j.mask.Mask;
import java.lang.foreign.MemorySegment;

/**
 * SparseGPT's column-by-column OBS step on one block of columns (see
 * {@link CpuKernels#obsBlock}), run on chunks of {@link #ROWS} rows held transposed
 * ({@code [column][row]}): every update {@code w[j] -= e * hinv[i][j]} is then a loop over the rows
 * of the chunk, which the matrix kernel runs on vectors ({@link MatMulKernel#subtractOuter}), and each row of the inverse factor's block is read once per
 * chunk instead of once per row. Per element, the arithmetic is the same as row by row.
 */
final class ObsBlock {
    /** Rows per chunk: four AVX-512 vectors per row loop; the transposed chunk of a 128-wide block stays in L1. */
    static final int ROWS = 64;

    private ObsBlock() {}

    /**
     * Columns {@code [from, from + width)} of rows {@code [r0, r0 + h)} of {@code w [rows x cols]};
     * {@code hb} is the block of the inverse factor, row-major {@code [width x width]}. For N:M
     * ({@code nmM > 0}) the keep decisions are written into {@code nmKeep[r]}.
     */
    static void chunk(MemorySegment w, int cols, int from, int width, float[] hb, int r0, int h,
                      Mask blockKeep, int nmN, int nmM, boolean[][] nmKeep, MemorySegment err) {
        MatMulKernel kernel = MatMul.kernel();
        float[] wt = new float[width * ROWS];
        float[] et = new float[width * ROWS];
        boolean[] keep = new boolean[width * ROWS];
        float[] row = new float[width];
        for (int r = 0; r < h; r++) {
            MemorySegment.copy(w, F32, ((long) (r0 + r) * cols + from) * 4, row, 0, width);
            for (int j = 0; j < width; j++) {
                wt[j * ROWS + r] = row[j];
                if (nmM == 0) {
                    keep[j * ROWS + r] = blockKeep.isKept((long) (r0 + r) * width + j);
                }
            }
        }
        for (int i = 0; i < width; i++) {
            if (nmM > 0 && i % nmM == 0) {
                for (int r = 0; r < h; r++) {
                    chooseNm(wt, hb, width, i, nmN, nmM, r, keep);
                }
            }
            float d = hb[i * width + i];
            int ib = i * ROWS;
            for (int r = 0; r < h; r++) {
                float v = wt[ib + r];
                float q = keep[ib + r] ? v : 0f;
                et[ib + r] = (v - q) / d;
                wt[ib + r] = q;
            }
            // w[j] -= e * hinv[i][j] for the later columns j of the block, across the rows.
            kernel.subtractOuter(wt, (i + 1) * ROWS, ROWS, width - i - 1, et, ib, hb, i * width + i + 1, h);
        }
        for (int r = 0; r < h; r++) {
            for (int j = 0; j < width; j++) {
                row[j] = wt[j * ROWS + r];
            }
            MemorySegment.copy(row, 0, w, F32, ((long) (r0 + r) * cols + from) * 4, width);
            for (int j = 0; j < width; j++) {
                row[j] = et[j * ROWS + r];
            }
            MemorySegment.copy(row, 0, err, F32, (long) (r0 + r) * width * 4, width);
            if (nmKeep != null) {
                boolean[] k = new boolean[width];
                for (int j = 0; j < width; j++) {
                    k[j] = keep[j * ROWS + r];
                }
                nmKeep[r0 + r] = k;
            }
        }
    }

    /** Keeps the n largest {@code w^2/d^2} among columns {@code [i, i+m)} of row r; ties keep the lower column. */
    private static void chooseNm(float[] wt, float[] hb, int width, int i, int n, int m, int r, boolean[] keep) {
        for (int a = 0; a < m; a++) {
            float d = hb[(i + a) * width + i + a];
            float wa = wt[(i + a) * ROWS + r];
            float sa = wa * wa / (d * d);
            int larger = 0;
            for (int b = 0; b < m; b++) {
                if (b == a) {
                    continue;
                }
                float db = hb[(i + b) * width + i + b];
                float wb = wt[(i + b) * ROWS + r];
                float sb = wb * wb / (db * db);
                if (sb > sa || (sb == sa && b < a)) {
                    larger++;
                }
            }
            keep[(i + a) * ROWS + r] = larger < n;
        }
    }
}
