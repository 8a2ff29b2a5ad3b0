package dev.prune4j.internal.cpu;

import static dev.prune4j.internal.tensor.LittleEndian.F32;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.tensor.Tensor;

/**
 * Reductions over an F32 score tensor (OWL's mean and outlier count). Chunks have a fixed size and
 * partial sums are added in chunk order, so the sum does not depend on the thread count.
 */
public final class ScoreReductions {
    static final int CHUNK = 1 << 16;

    private ScoreReductions() {}

    public static double sum(Parallel par, Tensor t) {
        long n = t.numel();
        int chunks = (int) Math.max(1, (n + CHUNK - 1) / CHUNK);
        double[] partial = new double[chunks];
        par.forEach(new Tensor[] {t}, chunks, c -> {
            double s = 0;
            for (long i = (long) c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
                s += t.data().getAtIndex(F32, i);
            }
            partial[c] = s;
        });
        double total = 0;
        for (double s : partial) {
            total += s;
        }
        return total;
    }

    public static long countAbove(Parallel par, Tensor t, float threshold) {
        long n = t.numel();
        int chunks = (int) Math.max(1, (n + CHUNK - 1) / CHUNK);
        long[] partial = new long[chunks];
        par.forEach(new Tensor[] {t}, chunks, c -> {
            long k = 0;
            for (long i = (long) c * CHUNK, end = Math.min(n, i + CHUNK); i < end; i++) {
                if (t.data().getAtIndex(F32, i) > threshold) {
                    k++;
                }
            }
            partial[c] = k;
        });
        long total = 0;
        for (long k : partial) {
            total += k;
        }
        return total;
    }
}
