package dev.prune4j.analysis;

import java.util.Arrays;

/**
 * Statistics of |w| over a set of weights (one tensor, or all analysed tensors together).
 *
 * <ul>
 *   <li>{@link #count()}: all weights; {@link #zeros()}: weights equal to zero ({@code -0.0} is zero);
 *       {@link #nonFinite()}: NaN and infinite weights.</li>
 *   <li>{@link #aboveThreshold()}: finite weights with {@code |w| > threshold} (strictly greater).</li>
 *   <li>min / max / mean / population standard deviation of |w| over the <em>finite</em> weights,
 *       zeros included; {@link #minNonZeroAbs()} ignores the zeros (after pruning it is the smallest
 *       surviving magnitude). A value that has no weights to describe is {@code NaN}.</li>
 *   <li>{@link #log10Histogram()}: counts of log10|w| of the non-zero finite weights in the fixed bins
 *       of {@link Log10Bins}.</li>
 * </ul>
 *
 * <p>Means and deviations are computed in double precision from exact partial results (Chan et al.'s
 * pairwise combination of count, mean and sum of squared deviations), so they do not drift on
 * billions of weights and do not depend on the number of threads.
 */
public final class MagnitudeStats {
    private final long count;
    private final long zeros;
    private final long nonFinite;
    private final double threshold;
    private final long aboveThreshold;
    private final double minNonZero;
    private final double max;
    private final double mean;
    private final double m2;
    private final long[] histogram;

    MagnitudeStats(long count, long zeros, long nonFinite, double threshold, long aboveThreshold,
                   double minNonZero, double max, double mean, double m2, long[] histogram) {
        if (histogram.length != Log10Bins.COUNT) {
            throw new IllegalArgumentException("histogram needs " + Log10Bins.COUNT + " bins, got " + histogram.length);
        }
        this.count = count;
        this.zeros = zeros;
        this.nonFinite = nonFinite;
        this.threshold = threshold;
        this.aboveThreshold = aboveThreshold;
        this.minNonZero = minNonZero;
        this.max = max;
        this.mean = mean;
        this.m2 = m2;
        this.histogram = histogram;
    }

    /** Statistics of no weights at all, the neutral element of {@link #combine}. */
    static MagnitudeStats empty(double threshold) {
        return new MagnitudeStats(0, 0, 0, threshold, 0, Double.NaN, Double.NaN, Double.NaN, 0.0,
                new long[Log10Bins.COUNT]);
    }

    /** Statistics of the union of the two (disjoint) sets of weights. */
    static MagnitudeStats combine(MagnitudeStats a, MagnitudeStats b) {
        if (Double.compare(a.threshold, b.threshold) != 0) {
            throw new IllegalArgumentException("cannot combine statistics taken at thresholds " + a.threshold
                    + " and " + b.threshold);
        }
        long na = a.finite();
        long nb = b.finite();
        long n = na + nb;
        double mean;
        double m2;
        if (na == 0) {
            mean = b.mean;
            m2 = b.m2;
        } else if (nb == 0) {
            mean = a.mean;
            m2 = a.m2;
        } else {
            double delta = b.mean - a.mean;
            mean = a.mean + delta * ((double) nb / n);
            m2 = a.m2 + b.m2 + delta * delta * ((double) na * (double) nb / n);
        }
        long[] h = a.histogram.clone();
        for (int i = 0; i < h.length; i++) {
            h[i] += b.histogram[i];
        }
        return new MagnitudeStats(a.count + b.count, a.zeros + b.zeros, a.nonFinite + b.nonFinite, a.threshold,
                a.aboveThreshold + b.aboveThreshold, nanMin(a.minNonZero, b.minNonZero),
                nanMax(a.max, b.max), mean, m2, h);
    }

    private static double nanMin(double x, double y) {
        return Double.isNaN(x) ? y : Double.isNaN(y) ? x : Math.min(x, y);
    }

    private static double nanMax(double x, double y) {
        return Double.isNaN(x) ? y : Double.isNaN(y) ? x : Math.max(x, y);
    }

    /** Number of weights. */
    public long count() {
        return count;
    }

    /** Number of weights equal to zero (either sign). */
    public long zeros() {
        return zeros;
    }

    /** Number of NaN or infinite weights; they are left out of every magnitude statistic. */
    public long nonFinite() {
        return nonFinite;
    }

    /** Number of finite weights, the population of min / max / mean / std. */
    public long finite() {
        return count - nonFinite;
    }

    /** Fraction of weights that are zero: {@code zeros / count} (0 for no weights). */
    public double sparsity() {
        return count == 0 ? 0.0 : (double) zeros / count;
    }

    /** The threshold t of {@link #aboveThreshold()}. */
    public double threshold() {
        return threshold;
    }

    /** Number of finite weights with {@code |w| > threshold}. */
    public long aboveThreshold() {
        return aboveThreshold;
    }

    /** {@code aboveThreshold / count} (0 for no weights). */
    public double fractionAboveThreshold() {
        return count == 0 ? 0.0 : (double) aboveThreshold / count;
    }

    /** Smallest |w| of the finite weights: 0 when any weight is zero. */
    public double minAbs() {
        return zeros > 0 ? 0.0 : minNonZero;
    }

    /** Smallest non-zero |w| of the finite weights. */
    public double minNonZeroAbs() {
        return minNonZero;
    }

    /** Largest |w| of the finite weights. */
    public double maxAbs() {
        return max;
    }

    /** Mean |w| of the finite weights, zeros included. */
    public double meanAbs() {
        return finite() == 0 ? Double.NaN : mean;
    }

    /** Population standard deviation of |w| of the finite weights, zeros included. */
    public double stdAbs() {
        return finite() == 0 ? Double.NaN : Math.sqrt(Math.max(0.0, m2) / finite());
    }

    /** Counts per bin of {@link Log10Bins}; a fresh copy. */
    public long[] log10Histogram() {
        return histogram.clone();
    }

    @Override
    public String toString() {
        return "MagnitudeStats{count=" + count + ", zeros=" + zeros + ", above(" + threshold + ")="
                + aboveThreshold + ", max=" + max + ", mean=" + meanAbs() + ", std=" + stdAbs()
                + ", histogram=" + Arrays.toString(histogram) + "}";
    }
}
