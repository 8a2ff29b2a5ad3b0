package dev.prune4j.internal.cpu;

import static dev.prune4j.internal.tensor.LittleEndian.F32;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The CPU engine's calibration and SparseGPT kernels ({@code dev.prune4j.engine.cpu.CpuEngine}
 * passes its thread pool). The matrix products go through {@link MatMul}, which uses the Vector API
 * when it is enabled. Arguments (dtypes, shapes, block bounds) were checked by the facades.
 *
 * <p>Layout conventions (PyTorch's {@code nn.Linear}): weights {@code W [rows = out, cols = in]},
 * inputs {@code X [tokens, in]}, Hessians {@code H [in, in]}, all row-major.
 */
public final class CpuKernels {
    private static final int COLUMN_CHUNK = 256;

    private CpuKernels() {}

    /** {@code sumSq[j] += sum_t x[t][j]^2}; each batch is summed in double before it is added. */
    public static void accumulateSquaredNorms(Parallel par, Tensor x, Tensor sumSq) {
        int in = Rows.intDim(x.cols());
        long tokens = x.rows();
        par.forEach((in + COLUMN_CHUNK - 1) / COLUMN_CHUNK, chunk -> {
            int c0 = chunk * COLUMN_CHUNK;
            int len = Math.min(COLUMN_CHUNK, in - c0);
            float[] row = new float[len];
            short[] halves = new short[len];
            double[] sums = new double[len];
            for (long t = 0; t < tokens; t++) {
                Rows.read(x, t, c0, len, row, halves);
                for (int j = 0; j < len; j++) {
                    sums[j] += (double) row[j] * row[j];
                }
            }
            for (int j = 0; j < len; j++) {
                long at = c0 + j;
                sumSq.data().setAtIndex(F32, at, (float) (sumSq.data().getAtIndex(F32, at) + sums[j]));
            }
        });
    }

    /**
     * {@code H <- decay * H + (s X)^T (s X)} with {@code s = inputScale}: a symmetric rank-k update.
     * The upper triangle is computed tile by tile and mirrored, so H stays exactly symmetric.
     */
    public static void hessianUpdate(Parallel par, Tensor h, Tensor x, float decay, float inputScale) {
        int in = Rows.intDim(x.cols());
        MemorySegment hs = h.data();
        if (decay != 1f) {
            par.forEach(in, i -> {
                for (int j = i; j < in; j++) {
                    long at = (long) i * in + j;
                    hs.setAtIndex(F32, at, hs.getAtIndex(F32, at) * decay);
                }
            });
        }
        SymmetricRankK.update(par, x, inputScale, hs, in);
        SymmetricRankK.mirrorUpper(par, hs, in);
    }

    /** {@code scores[i][j] = |w[i][j]| * sqrt(normSq[j] / tokens)}, the Wanda metric, in F32. */
    public static void wandaScores(Parallel par, Tensor w, Tensor normSq, long tokens, Tensor scores) {
        int cols = Rows.intDim(w.cols());
        float[] scale = new float[cols];
        for (int j = 0; j < cols; j++) {
            scale[j] = (float) Math.sqrt(normSq.data().getAtIndex(F32, j) / (double) tokens);
        }
        long rows = w.rows();
        par.forEach(Rows.intDim(rows), r -> {
            float[] row = new float[cols];
            Rows.read(w, r, 0, cols, row, new short[cols]);
            for (int j = 0; j < cols; j++) {
                row[j] = Math.abs(row[j]) * scale[j];
            }
            MemorySegment.copy(row, 0, scores.data(), F32, (long) r * cols * 4, cols);
        });
    }

    /**
     * Replaces the symmetric positive definite F32 matrix {@code h} by the upper Cholesky factor of
     * its inverse. Returns false (and leaves {@code h} in an unspecified state) when the
     * factorisation meets a non-positive pivot.
     */
    public static boolean choleskyInverseUpper(Parallel par, Tensor h) {
        int n = Rows.intDim(h.cols());
        return Cholesky.inverseUpperFactor(par, h.data(), n);
    }

    /** SparseGPT's saliency on the block {@code [from, to)}: {@code w^2 / hinv[j][j]^2}, F32 {@code [rows, to - from]}. */
    public static void obsScores(Parallel par, Tensor w, Tensor hinv, int from, int to, Tensor scores) {
        int rows = Rows.intDim(w.rows());
        int cols = Rows.intDim(w.cols());
        int width = to - from;
        float[] d2 = new float[width];
        for (int j = 0; j < width; j++) {
            float d = hinv.data().getAtIndex(F32, (long) (from + j) * cols + from + j);
            d2[j] = d * d;
        }
        par.forEach(rows, r -> {
            for (int j = 0; j < width; j++) {
                float v = w.data().getAtIndex(F32, (long) r * cols + from + j);
                scores.data().setAtIndex(F32, (long) r * width + j, v * v / d2[j]);
            }
        });
    }

    /**
     * The column-by-column OBS step of SparseGPT on block {@code [from, to)} of the F32 working
     * weights {@code w}: each column is pruned where {@code blockKeep} says so (unstructured, mask
     * chosen before), or, when {@code nmM > 0}, by keeping the {@code nmN} largest {@code w^2/d^2}
     * of each group of {@code nmM} columns as the group is reached (written into {@code blockKeep};
     * equal scores keep the lower column). The pruning error of each column is spread over the
     * block's later columns with row {@code j} of {@code hinv}; {@code err [rows, to - from]} gets
     * {@code (w - q) / d} for the lazy update of the columns after the block.
     */
    public static void obsBlock(Parallel par, Tensor w, Tensor hinv, int from, int to, Mask blockKeep,
                                int nmN, int nmM, Tensor err) {
        int rows = Rows.intDim(w.rows());
        int cols = Rows.intDim(w.cols());
        int width = to - from;
        // The block of the inverse factor, upper triangle, row-major [width x width].
        float[] hb = new float[width * width];
        for (int i = 0; i < width; i++) {
            MemorySegment.copy(hinv.data(), F32, ((long) (from + i) * cols + from) * 4, hb, i * width, width);
        }
        // Per-row keep decisions for N:M are collected here: rows share mask words.
        boolean[][] nmKeep = nmM > 0 ? new boolean[rows][] : null;
        par.forEach((rows + ObsBlock.ROWS - 1) / ObsBlock.ROWS, chunk -> {
            int r0 = chunk * ObsBlock.ROWS;
            ObsBlock.chunk(w.data(), cols, from, width, hb, r0, Math.min(ObsBlock.ROWS, rows - r0),
                    blockKeep, nmN, nmM, nmKeep, err.data());
        });
        if (nmKeep != null) {
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < width; j++) {
                    long at = (long) r * width + j;
                    if (nmKeep[r][j]) {
                        blockKeep.keep(at);
                    } else {
                        blockKeep.prune(at);
                    }
                }
            }
        }
    }

    /** SparseGPT's lazy update after a block: {@code W[:, to:] -= Err @ Hinv[from:to, to:]}. */
    public static void trailingUpdate(Parallel par, Tensor w, Tensor err, Tensor hinv, int from, int to) {
        int rows = Rows.intDim(w.rows());
        int cols = Rows.intDim(w.cols());
        int width = to - from;
        MatMul.multiplyAdd(par, MatMul.Triangle.FULL, rows, cols - to, width, -1f,
                err.data(), 0, width, hinv.data(), (long) from * cols + to, cols, w.data(), to, cols);
    }

    /**
     * {@code sum_r d_r^T H d_r} over the rows of {@code d [rows, n]} (F32) with {@code h [n, n]} (F32),
     * summed in double: {@code trace(D H D^T)}, the reconstruction error's quadratic form.
     */
    public static double rowQuadraticFormSum(Parallel par, Tensor d, Tensor h) {
        int rows = Rows.intDim(d.rows());
        int n = Rows.intDim(d.cols());
        try (Arena arena = Arena.ofShared()) {
            MemorySegment dh = arena.allocate((long) rows * n * 4, 64);
            MatMul.multiplyAdd(par, MatMul.Triangle.FULL, rows, n, n, 1f, d.data(), 0, n, h.data(), 0, n, dh, 0, n);
            double[] perRow = new double[rows];
            par.forEach(rows, r -> {
                double s = 0;
                long base = (long) r * n;
                for (int j = 0; j < n; j++) {
                    s += (double) d.data().getAtIndex(F32, base + j) * dh.getAtIndex(F32, base + j);
                }
                perRow[r] = s;
            });
            double total = 0;
            for (double s : perRow) {
                total += s;
            }
            return total;
        }
    }
}
