package dev.prune4j.sparsegpt;

import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneSpec;
import java.util.Arrays;
import java.util.Comparator;

/**
 * The test oracle: SparseGPT written plainly in double precision, without the lazy block update.
 * Every column's error goes straight onto all later columns; the inverse factor comes from three
 * textbook steps (Cholesky, inverse, Cholesky of the inverse). Masks are chosen at the same points
 * as the blocked code (every {@code blockSize} columns, or every M columns for N:M) by the same
 * exact rule.
 */
final class ObsReference {
    record Result(double[][] weights, boolean[][] keep) {}

    private ObsReference() {}

    static Result run(double[][] w0, double[][] h0, PruneSpec target, int blockSize, double percDamp) {
        int rows = w0.length;
        int cols = w0[0].length;
        double[][] w = new double[rows][];
        for (int r = 0; r < rows; r++) {
            w[r] = w0[r].clone();
        }
        double[][] h = new double[cols][];
        for (int i = 0; i < cols; i++) {
            h[i] = h0[i].clone();
        }
        double diag = 0;
        for (int j = 0; j < cols; j++) {
            if (h[j][j] == 0) {
                h[j][j] = 1;
                for (double[] row : w) {
                    row[j] = 0;
                }
            }
            diag += h[j][j];
        }
        double damp = percDamp * diag / cols;
        for (int j = 0; j < cols; j++) {
            h[j][j] += damp;
        }
        double[][] u = transpose(cholesky(multiplyTransposeFirst(invertLower(cholesky(h)))));
        boolean[][] keep = new boolean[rows][cols];
        for (boolean[] k : keep) {
            Arrays.fill(k, true);
        }
        for (int j = 0; j < cols; j++) {
            if (target instanceof PruneSpec.NofM(NmPattern p)) {
                if (j % p.m() == 0) {
                    for (int r = 0; r < rows; r++) {
                        chooseNm(w[r], u, j, p.n(), p.m(), keep[r]);
                    }
                }
            } else if (j % blockSize == 0) {
                chooseBlock(w, u, j, Math.min(cols, j + blockSize), (PruneSpec.Unstructured) target, keep);
            }
            for (int r = 0; r < rows; r++) {
                double q = keep[r][j] ? w[r][j] : 0;
                double e = (w[r][j] - q) / u[j][j];
                for (int k = j + 1; k < cols; k++) {
                    w[r][k] -= e * u[j][k];
                }
                w[r][j] = q;
            }
        }
        return new Result(w, keep);
    }

    private static void chooseNm(double[] row, double[][] u, int j, int n, int m, boolean[] keep) {
        Integer[] order = new Integer[m];
        for (int a = 0; a < m; a++) {
            order[a] = a;
        }
        // Largest score first, lower column first among equals: the first n are kept.
        Arrays.sort(order, Comparator.<Integer>comparingDouble(a -> -score(row[j + a], u[j + a][j + a]))
                .thenComparingInt(a -> a));
        for (int p = 0; p < m; p++) {
            keep[j + order[p]] = p < n;
        }
    }

    private static void chooseBlock(double[][] w, double[][] u, int from, int to, PruneSpec.Unstructured target,
                                    boolean[][] keep) {
        int rows = w.length;
        int width = to - from;
        if (target instanceof PruneSpec.PerRow) {
            int k = (int) (target.prunedOf(to) - target.prunedOf(from));
            for (int r = 0; r < rows; r++) {
                final int row = r;
                Integer[] order = new Integer[width];
                for (int c = 0; c < width; c++) {
                    order[c] = c;
                }
                Arrays.sort(order, Comparator.<Integer>comparingDouble(c -> score(w[row][from + c], u[from + c][from + c]))
                        .thenComparingInt(c -> c));
                for (int p = 0; p < k; p++) {
                    keep[r][from + order[p]] = false;
                }
            }
            return;
        }
        long k = target.prunedOf((long) rows * to) - target.prunedOf((long) rows * from);
        Integer[] order = new Integer[rows * width];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> score(w[i / width][from + i % width],
                u[from + i % width][from + i % width])).thenComparingInt(i -> i));
        for (int p = 0; p < k; p++) {
            keep[order[p] / width][from + order[p] % width] = false;
        }
    }

    private static double score(double w, double d) {
        return w * w / (d * d);
    }

    static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int j = 0; j < n; j++) {
            double s = a[j][j];
            for (int p = 0; p < j; p++) {
                s -= l[j][p] * l[j][p];
            }
            if (!(s > 0)) {
                throw new ArithmeticException("not positive definite at " + j);
            }
            l[j][j] = Math.sqrt(s);
            for (int i = j + 1; i < n; i++) {
                double t = a[i][j];
                for (int p = 0; p < j; p++) {
                    t -= l[i][p] * l[j][p];
                }
                l[i][j] = t / l[j][j];
            }
        }
        return l;
    }

    static double[][] invertLower(double[][] l) {
        int n = l.length;
        double[][] x = new double[n][n];
        for (int j = 0; j < n; j++) {
            for (int i = j; i < n; i++) {
                double s = i == j ? 1 : 0;
                for (int p = j; p < i; p++) {
                    s -= l[i][p] * x[p][j];
                }
                x[i][j] = s / l[i][i];
            }
        }
        return x;
    }

    /** {@code X^T X}: with {@code X = L^-1}, the inverse of {@code L L^T}. */
    static double[][] multiplyTransposeFirst(double[][] x) {
        int n = x.length;
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < n; p++) {
                    s += x[p][i] * x[p][j];
                }
                out[i][j] = s;
            }
        }
        return out;
    }

    static double[][] transpose(double[][] a) {
        int n = a.length;
        double[][] t = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }
}
