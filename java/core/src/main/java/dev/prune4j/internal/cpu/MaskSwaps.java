package dev.prune4j.internal.cpu;

import static dev.prune4j.internal.tensor.LittleEndian.F32;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * SparseSwaps' mask refinement (Zimmer et al. 2025) on the CPU: 1-swaps inside each row that
 * lower the row's reconstruction error exactly.
 *
 * <p>For one row, with original weights {@code w}, current weights {@code v} (zero where pruned),
 * {@code d = w - v} and the Hessian {@code H}, the row's error is {@code e = d H d^T} and
 * {@code g = H d} its half gradient. Unpruning {@code i} (so {@code v_i = w_i}) and pruning
 * {@code j} (so {@code v_j = 0}) changes {@code d} by {@code -w_i} at {@code i} and {@code +v_j} at
 * {@code j}, so exactly
 * <pre>
 *   delta(i, j) = a_i + b_j - 2 w_i v_j H_ij,
 *   a_i = w_i^2 H_ii - 2 w_i g_i      (unprune i alone)
 *   b_j = v_j^2 H_jj + 2 v_j g_j      (prune j alone)
 * </pre>
 * and afterwards {@code g += -w_i H[i, :] + v_j H[j, :]}. Each step takes the pair of lowest
 * {@code delta} (scanning pruned {@code i} then kept {@code j} in column order; the first of equal
 * ones wins) among the pairs of one group of columns, and stops when none lowers the error by more
 * than {@code tolerance * e} (the F32 rounding of {@code g} must not pass for a gain). With
 * {@code candidates > 0} a whole-row search only lets the {@code candidates} lowest {@code a} meet
 * the {@code candidates} lowest {@code b} (ties: lower column), which turns a step from
 * {@code O(pruned * kept)} into {@code O(cols + candidates^2)}; the gain of an accepted swap is
 * still exact. N:M groups try all their pairs, with H's diagonal blocks copied once.
 *
 * <p>One pass over the row after each swap updates {@code g}, the single-move gains and the
 * candidates together.
 *
 * <p>Rows are independent and run in parallel, each in double on its own copies; the keep bits are
 * written after the parallel loop, because rows may share mask words.
 */
public final class MaskSwaps {
    private MaskSwaps() {}

    /** {@code out = D H} (F32) through the blocked GEMM. */
    public static void hessianProduct(Parallel par, Tensor d, Tensor h, Tensor out) {
        int rows = Rows.intDim(d.rows());
        int n = Rows.intDim(d.cols());
        out.data().fill((byte) 0);
        MatMul.multiplyAdd(par, MatMul.Triangle.FULL, rows, n, n, 1f, d.data(), 0, n, h.data(), 0, n,
                out.data(), 0, n);
    }

    public static long swap(Parallel par, Tensor w, Tensor v, Tensor g, Tensor h, Mask keep, int group,
                            int maxSwapsPerRow, int candidates, double tolerance) {
        int rows = Rows.intDim(w.rows());
        int n = Rows.intDim(w.cols());
        MemorySegment hs = h.data();
        double[] hDiag = new double[n];
        for (int j = 0; j < n; j++) {
            hDiag[j] = hs.getAtIndex(F32, (long) j * n + j);
        }
        // N:M pairs only meet inside their group: H's diagonal blocks, copied once for every row.
        float[] blocks = group < n ? diagonalBlocks(hs, n, group) : null;
        long[] swaps = new long[rows];
        boolean[][] finalKeep = new boolean[rows][];
        par.forEach(new Tensor[] {w, v, g, h}, rows, r -> {
            boolean[] kept = new boolean[n];
            long base = (long) r * n;
            for (int j = 0; j < n; j++) {
                kept[j] = keep.isKept(base + j);
            }
            RowState row = new RowState(w, v, g, hs, hDiag, blocks, r, n, group, candidates, kept);
            swaps[r] = row.refine(maxSwapsPerRow, tolerance);
            if (swaps[r] > 0) {
                row.writeBack(v, g);
                finalKeep[r] = kept;
            }
        });
        long total = 0;
        for (int r = 0; r < rows; r++) {
            total += swaps[r];
            if (finalKeep[r] != null) {
                long base = (long) r * n;
                for (int j = 0; j < n; j++) {
                    if (finalKeep[r][j]) {
                        keep.keep(base + j);
                    } else {
                        keep.prune(base + j);
                    }
                }
            }
        }
        return total;
    }

    /** {@code blocks[i * group + b] = H[i][g0 + b]} with {@code g0} the start of {@code i}'s group. */
    private static float[] diagonalBlocks(MemorySegment h, int n, int group) {
        float[] blocks = new float[n * group];
        for (int i = 0; i < n; i++) {
            MemorySegment.copy(h, F32, ((long) i * n + (i - i % group)) * 4, blocks, i * group, group);
        }
        return blocks;
    }

    /** One row's weights, gradient, keep flags and single-move gains in double, and its search. */
    private static final class RowState {
        private final MemorySegment h;
        private final double[] hDiag;
        private final float[] blocks;
        private final int n;
        private final int group;
        private final int candidates;
        private final long row;
        private final double[] w;
        private final double[] v;
        private final double[] g;
        private final boolean[] kept;
        /** a_i for pruned i, b_j for kept j: the change of the error by that move alone. */
        private final double[] single;
        /**
         * {@code single = u (u H_kk + 2 sign g)} without a branch: {@code u = v, sign = +1} for a kept
         * weight, {@code u = w, sign = -1} for a pruned one.
         */
        private final double[] u;
        private final double[] sign;
        private final float[] rowI;
        private final float[] rowJ;
        /** The candidates to unprune and to prune (whole-row search), by gain then column. */
        private final int[] candP;
        private final int[] candK;
        private int np;
        private int nk;
        private int bestI;
        private int bestJ;

        RowState(Tensor wt, Tensor vt, Tensor gt, MemorySegment h, double[] hDiag, float[] blocks, int r, int n,
                 int group, int candidates, boolean[] kept) {
            this.h = h;
            this.hDiag = hDiag;
            this.blocks = blocks;
            this.n = n;
            this.group = group;
            this.candidates = group == n ? candidates : 0;
            this.row = r;
            this.kept = kept;
            this.w = readRow(wt, r, n);
            this.v = readRow(vt, r, n);
            this.g = readRow(gt, r, n);
            this.single = new double[n];
            this.u = new double[n];
            this.sign = new double[n];
            for (int k = 0; k < n; k++) {
                u[k] = kept[k] ? v[k] : w[k];
                sign[k] = kept[k] ? 1 : -1;
            }
            this.rowI = new float[n];
            this.rowJ = new float[n];
            this.candP = new int[Math.max(1, this.candidates)];
            this.candK = new int[Math.max(1, this.candidates)];
        }

        private static double[] readRow(Tensor t, int r, int n) {
            float[] f = new float[n];
            MemorySegment.copy(t.data(), F32, (long) r * n * 4, f, 0, n);
            double[] d = new double[n];
            for (int j = 0; j < n; j++) {
                d[j] = f[j];
            }
            return d;
        }

        long refine(int maxSwaps, double tolerance) {
            double error = 0;
            for (int j = 0; j < n; j++) {
                error += (w[j] - v[j]) * g[j];
            }
            long done = 0;
            update(-1, -1);
            while (done < maxSwaps && error > 0) {
                double best = candidates > 0 ? bestOfCandidates() : group < n ? bestInGroups() : bestOfAllPairs();
                if (bestI < 0 || !(best < -tolerance * error)) {
                    break;
                }
                update(bestI, bestJ);
                error += best;
                done++;
            }
            return done;
        }

        /**
         * Swaps {@code i} (pruned, kept from now on) and {@code j} (kept, pruned from now on), or
         * nothing for {@code i < 0}; then, in the same pass over the row, the new gradient, the
         * single-move gains and (whole-row search) the candidates.
         */
        private void update(int i, int j) {
            if (i >= 0) {
                double wi = w[i];
                double vj = v[j];
                MemorySegment.copy(h, F32, (long) i * n * 4, rowI, 0, n);
                MemorySegment.copy(h, F32, (long) j * n * 4, rowJ, 0, n);
                for (int k = 0; k < n; k++) {
                    g[k] += -wi * rowI[k] + vj * rowJ[k];
                }
                v[i] = wi;
                v[j] = 0;
                kept[i] = true;
                kept[j] = false;
                sign[i] = 1;
                sign[j] = -1;
                u[j] = w[j];
            }
            // Simple loops over arrays, which C2 vectorises; the candidates are a third pass.
            for (int k = 0; k < n; k++) {
                single[k] = u[k] * (u[k] * hDiag[k] + 2 * sign[k] * g[k]);
            }
            if (candidates > 0) {
                np = 0;
                nk = 0;
                double worstP = Double.POSITIVE_INFINITY;
                double worstK = Double.POSITIVE_INFINITY;
                for (int k = 0; k < n; k++) {
                    double s = single[k];
                    // Most weights are worse than both buffers' worst: one well-predicted test each.
                    if (s < worstP || s < worstK) {
                        if (kept[k]) {
                            if (s < worstK) {
                                nk = offer(candK, nk, k, s);
                                worstK = nk == candidates ? single[candK[nk - 1]] : Double.POSITIVE_INFINITY;
                            }
                        } else if (s < worstP) {
                            np = offer(candP, np, k, s);
                            worstP = np == candidates ? single[candP[np - 1]] : Double.POSITIVE_INFINITY;
                        }
                    }
                }
                Arrays.sort(candP, 0, np);
                Arrays.sort(candK, 0, nk);
            }
        }

        /**
         * Offers column {@code k} with gain {@code s} to the buffer {@code buf[0 .. size)} of the
         * {@code candidates} lowest gains (sorted by gain, ties to the lower column, which came
         * first); returns the new size.
         */
        private int offer(int[] buf, int size, int k, double s) {
            if (size == candidates && !(s < single[buf[size - 1]])) {
                return size;
            }
            int at = size == candidates ? size - 1 : size++;
            while (at > 0 && s < single[buf[at - 1]]) {
                buf[at] = buf[at - 1];
                at--;
            }
            buf[at] = k;
            return size;
        }

        /** The best pair among the candidates (columns ascending: pruned, then kept). */
        private double bestOfCandidates() {
            double best = Double.POSITIVE_INFINITY;
            bestI = -1;
            bestJ = -1;
            for (int pi = 0; pi < np; pi++) {
                int i = candP[pi];
                double ai = single[i];
                double twoWi = 2 * w[i];
                long hRow = (long) i * n;
                for (int ki = 0; ki < nk; ki++) {
                    int j = candK[ki];
                    double delta = ai + single[j] - twoWi * v[j] * h.getAtIndex(F32, hRow + j);
                    if (delta < best) {
                        best = delta;
                        bestI = i;
                        bestJ = j;
                    }
                }
            }
            return best;
        }

        /** The best of every pair of the row. */
        private double bestOfAllPairs() {
            double best = Double.POSITIVE_INFINITY;
            bestI = -1;
            bestJ = -1;
            for (int i = 0; i < n; i++) {
                if (kept[i]) {
                    continue;
                }
                MemorySegment.copy(h, F32, (long) i * n * 4, rowI, 0, n);
                double ai = single[i];
                double twoWi = 2 * w[i];
                for (int j = 0; j < n; j++) {
                    if (kept[j]) {
                        double delta = ai + single[j] - twoWi * v[j] * rowI[j];
                        if (delta < best) {
                            best = delta;
                            bestI = i;
                            bestJ = j;
                        }
                    }
                }
            }
            return best;
        }

        /** The best pair within any one group, from H's diagonal blocks. */
        private double bestInGroups() {
            double best = Double.POSITIVE_INFINITY;
            bestI = -1;
            bestJ = -1;
            for (int g0 = 0; g0 < n; g0 += group) {
                for (int i = g0; i < g0 + group; i++) {
                    if (kept[i]) {
                        continue;
                    }
                    double ai = single[i];
                    double twoWi = 2 * w[i];
                    int hb = i * group - g0;
                    for (int j = g0; j < g0 + group; j++) {
                        if (kept[j]) {
                            double delta = ai + single[j] - twoWi * v[j] * blocks[hb + j];
                            if (delta < best) {
                                best = delta;
                                bestI = i;
                                bestJ = j;
                            }
                        }
                    }
                }
            }
            return best;
        }

        void writeBack(Tensor vt, Tensor gt) {
            float[] f = new float[n];
            for (int j = 0; j < n; j++) {
                f[j] = (float) v[j];
            }
            MemorySegment.copy(f, 0, vt.data(), F32, row * n * 4, n);
            for (int j = 0; j < n; j++) {
                f[j] = (float) g[j];
            }
            MemorySegment.copy(f, 0, gt.data(), F32, row * n * 4, n);
        }
    }
}
