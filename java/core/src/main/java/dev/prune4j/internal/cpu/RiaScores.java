package dev.prune4j.internal.cpu;

import static dev.prune4j.internal.tensor.LittleEndian.F32;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * RIA's relative importance times activations (Zhang et al., ICLR 2024, eq. 3) on the CPU:
 * {@code (|W_ij| / sum_k |W_kj| + |W_ij| / sum_k |W_ik|) * (normSq_j / tokens)^(a / 2)}.
 *
 * <p>Two passes. The first sums {@code |W|} per row and per column in double: rows are cut into
 * chunks of {@link #ROWS_PER_CHUNK} (a fixed size, so the result does not depend on the thread
 * count), each chunk sums its own columns, and the chunks' column sums are added in chunk order.
 * The second writes the scores row by row. A zero sum (a dead row or input channel, all of whose
 * weights are zero) contributes 0 instead of the reference's 0/0.
 */
public final class RiaScores {
    static final int ROWS_PER_CHUNK = 64;

    private RiaScores() {}

    public static void compute(Parallel par, Tensor w, Tensor normSq, long tokens, double exponent, Tensor scores) {
        int rows = Rows.intDim(w.rows());
        int cols = Rows.intDim(w.cols());
        double[] rowSums = new double[rows];
        int chunks = (rows + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK;
        double[][] colSums = new double[chunks][];
        Tensor[] touched = {w, normSq, scores};
        par.forEach(touched, chunks, c -> {
            double[] cs = new double[cols];
            float[] row = new float[cols];
            short[] halves = new short[cols];
            for (int r = c * ROWS_PER_CHUNK; r < Math.min(rows, (c + 1) * ROWS_PER_CHUNK); r++) {
                Rows.read(w, r, 0, cols, row, halves);
                double s = 0;
                for (int j = 0; j < cols; j++) {
                    double a = Math.abs(row[j]);
                    s += a;
                    cs[j] += a;
                }
                rowSums[r] = s;
            }
            colSums[c] = cs;
        });
        double[] invCol = new double[cols];
        for (double[] cs : colSums) {
            for (int j = 0; j < cols; j++) {
                invCol[j] += cs[j];
            }
        }
        double[] scale = new double[cols];
        for (int j = 0; j < cols; j++) {
            invCol[j] = invCol[j] > 0 ? 1.0 / invCol[j] : 0.0;
            // (sqrt(normSq / tokens))^a, the channel's root mean square to the power a.
            scale[j] = Math.pow(normSq.data().getAtIndex(F32, j) / (double) tokens, exponent / 2);
        }
        par.forEach(touched, rows, r -> {
            float[] row = new float[cols];
            Rows.read(w, r, 0, cols, row, new short[cols]);
            double invRow = rowSums[r] > 0 ? 1.0 / rowSums[r] : 0.0;
            for (int j = 0; j < cols; j++) {
                double a = Math.abs(row[j]);
                row[j] = (float) ((a * invCol[j] + a * invRow) * scale[j]);
            }
            MemorySegment.copy(row, 0, scores.data(), F32, (long) r * cols * 4, cols);
        });
    }
}
