package dev.prune4j.refine;

/**
 * The test oracle for SparseSwaps, written from the paper's objective alone in double precision:
 * every candidate swap's error is the row's quadratic form {@code (w - v) H (w - v)^T} evaluated
 * from scratch (no gradient, no gain formula), the best swap of the row is taken while it lowers
 * the error by more than {@code tolerance} of it. With {@code candidates > 0} the pairs are those of
 * the {@code candidates} pruned weights whose unpruning alone lowers the error most and the
 * {@code candidates} kept weights whose pruning alone raises it least (ties: lower column), when
 * the group is the whole row; N:M groups are always searched pair by pair.
 */
final class SwapReference {
    private SwapReference() {}

    /** Refines {@code v} and {@code keep} (row-major, in place); returns the swap count. */
    static long refine(double[][] w, double[][] v, boolean[][] keep, double[][] h, int group, int maxSwaps,
                       int candidates, double tolerance) {
        long swaps = 0;
        if (group < w[0].length) {
            candidates = 0;
        }
        for (int r = 0; r < w.length; r++) {
            for (int s = 0; s < maxSwaps; s++) {
                double e = error(w[r], v[r], h);
                if (!(e > 0)) {
                    break;
                }
                double best = Double.POSITIVE_INFINITY;
                int bi = -1;
                int bj = -1;
                for (int g0 = 0; g0 < w[r].length; g0 += group) {
                    boolean[] tryI = choose(w[r], v[r], keep[r], h, g0, group, false, candidates, e);
                    boolean[] tryJ = choose(w[r], v[r], keep[r], h, g0, group, true, candidates, e);
                    for (int i = g0; i < g0 + group; i++) {
                        if (!tryI[i - g0]) {
                            continue;
                        }
                        for (int j = g0; j < g0 + group; j++) {
                            if (!tryJ[j - g0]) {
                                continue;
                            }
                            double[] u = v[r].clone();
                            u[i] = w[r][i];
                            u[j] = 0;
                            double delta = error(w[r], u, h) - e;
                            if (delta < best) {
                                best = delta;
                                bi = i;
                                bj = j;
                            }
                        }
                    }
                }
                if (bi < 0 || !(best < -tolerance * e)) {
                    break;
                }
                v[r][bi] = w[r][bi];
                v[r][bj] = 0;
                keep[r][bi] = true;
                keep[r][bj] = false;
                swaps++;
            }
        }
        return swaps;
    }

    /** Which weights of the group take part: the pruned ones ({@code kept = false}) or the kept ones. */
    private static boolean[] choose(double[] w, double[] v, boolean[] keep, double[][] h, int g0, int group,
                                    boolean kept, int candidates, double e) {
        boolean[] in = new boolean[group];
        double[] alone = new double[group];
        int count = 0;
        for (int j = g0; j < g0 + group; j++) {
            if (keep[j] == kept) {
                in[j - g0] = true;
                double[] u = v.clone();
                u[j] = kept ? 0 : w[j];
                alone[j - g0] = error(w, u, h) - e;
                count++;
            }
        }
        if (candidates == 0 || count <= candidates) {
            return in;
        }
        boolean[] chosen = new boolean[group];
        for (int c = 0; c < candidates; c++) {
            int at = -1;
            for (int j = 0; j < group; j++) {
                if (in[j] && !chosen[j] && (at < 0 || alone[j] < alone[at])) {
                    at = j;
                }
            }
            chosen[at] = true;
        }
        return chosen;
    }

    /** {@code (w - v) H (w - v)^T}. */
    static double error(double[] w, double[] v, double[][] h) {
        double e = 0;
        for (int a = 0; a < w.length; a++) {
            double da = w[a] - v[a];
            if (da == 0) {
                continue;
            }
            for (int b = 0; b < w.length; b++) {
                e += da * h[a][b] * (w[b] - v[b]);
            }
        }
        return e;
    }
}
