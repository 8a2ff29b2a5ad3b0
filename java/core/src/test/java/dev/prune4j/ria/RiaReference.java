package dev.prune4j.ria;

import dev.prune4j.prune.PruneCount;
import dev.prune4j.prune.PruneSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The test oracle: RIA written from the paper (eq. 3) in double precision, and the selection by
 * sorting: the lowest scores pruned, ties to the lower flat index; N:M keeps the N highest of each
 * group, ties to the lower index.
 */
final class RiaReference {
    private RiaReference() {}

    static double[][] scores(double[][] w, double[] normSq, long tokens, double a) {
        int rows = w.length;
        int cols = w[0].length;
        double[] rowSum = new double[rows];
        double[] colSum = new double[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                rowSum[i] += Math.abs(w[i][j]);
                colSum[j] += Math.abs(w[i][j]);
            }
        }
        double[][] s = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double rel = (colSum[j] == 0 ? 0 : Math.abs(w[i][j]) / colSum[j])
                        + (rowSum[i] == 0 ? 0 : Math.abs(w[i][j]) / rowSum[i]);
                s[i][j] = rel * Math.pow(Math.sqrt(normSq[j] / tokens), a);
            }
        }
        return s;
    }

    /** The keep flags (row-major) the scores give for {@code spec}. */
    static boolean[] keep(double[][] s, PruneSpec spec) {
        int rows = s.length;
        int cols = s[0].length;
        boolean[] keep = new boolean[rows * cols];
        java.util.Arrays.fill(keep, true);
        switch (spec) {
            case PruneSpec.PerRow r -> {
                for (int i = 0; i < rows; i++) {
                    prune(order(s, i * cols, (i + 1) * cols), PruneCount.of(r.ratio(), cols), keep);
                }
            }
            case PruneSpec.PerTensor t -> prune(order(s, 0, rows * cols), PruneCount.of(t.ratio(), (long) rows * cols),
                    keep);
            case PruneSpec.NofM nm -> {
                int m = nm.pattern().m();
                for (int g = 0; g < rows * cols; g += m) {
                    List<Integer> o = order(s, g, g + m);
                    // Lowest first; among equal scores the higher index goes first, so the lower one stays.
                    o.sort(Comparator.comparingDouble((Integer k) -> s[k / cols][k % cols])
                            .thenComparing(Comparator.reverseOrder()));
                    prune(o, m - nm.pattern().n(), keep);
                }
            }
            case PruneSpec.Global g -> throw new IllegalArgumentException("not per layer");
        }
        return keep;
    }

    private static List<Integer> order(double[][] s, int from, int to) {
        int cols = s[0].length;
        List<Integer> idx = new ArrayList<>();
        for (int k = from; k < to; k++) {
            idx.add(k);
        }
        idx.sort(Comparator.comparingDouble((Integer k) -> s[k / cols][k % cols]).thenComparingInt(k -> k));
        return idx;
    }

    private static void prune(List<Integer> order, long k, boolean[] keep) {
        for (int p = 0; p < k; p++) {
            keep[order.get(p)] = false;
        }
    }
}
