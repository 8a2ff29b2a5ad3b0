package dev.prune4j.bench.timing;

import java.util.Arrays;

/**
 * Order statistics of a sample of timings. Benchmarks report medians (and the 10th and 90th
 * percentiles as the spread) rather than means: one preempted call or one clock dip moves a mean,
 * not a median.
 */
public final class Stats {
    private Stats() {}

    /** The {@code p}-th percentile (0..100) by linear interpolation between order statistics; NaN when empty. */
    public static double percentile(double[] values, double p) {
        if (values.length == 0) {
            return Double.NaN;
        }
        if (p < 0 || p > 100) {
            throw new IllegalArgumentException("percentile " + p + " is not in 0..100");
        }
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = p / 100 * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    public static double median(double[] values) {
        return percentile(values, 50);
    }

    /** Column {@code column} of a {@code [row][column]} table of floats, widened. */
    public static double[] column(float[][] table, int column) {
        double[] out = new double[table.length];
        for (int i = 0; i < table.length; i++) {
            out[i] = table[i][column];
        }
        return out;
    }

    public static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }
}
