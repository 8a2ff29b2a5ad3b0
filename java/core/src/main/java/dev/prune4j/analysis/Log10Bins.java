package dev.prune4j.analysis;

import java.util.Locale;

/**
 * The fixed bins of the log10 |w| histogram: from {@value #LOW} to {@value #HIGH} in steps of
 * {@value #STEP}, plus an underflow bin below and an overflow bin above.
 *
 * <p>Bin {@code 0} holds {@code 0 < |w| < 1e-8}; bin {@code i} for {@code 1 <= i <= 20} holds
 * {@code 10^(LOW + STEP*(i-1)) <= |w| < 10^(LOW + STEP*i)}; bin {@code 21} holds {@code |w| >= 1e2}.
 * Zeros and non-finite values are never binned. Fixed bins (rather than bins fitted to the data) let
 * histograms of different tensors and checkpoints be added and compared bin by bin.
 */
public final class Log10Bins {
    /** log10 of the lowest regular bin edge. */
    public static final double LOW = -8.0;
    /** log10 of the highest regular bin edge. */
    public static final double HIGH = 2.0;
    /** Width of a regular bin in decades. */
    public static final double STEP = 0.5;
    /** Regular bins between {@link #LOW} and {@link #HIGH}. */
    static final int REGULAR = (int) Math.round((HIGH - LOW) / STEP);
    /** All bins: underflow, the regular bins, overflow. */
    public static final int COUNT = REGULAR + 2;

    /** {@code EDGES[k] = 10^(LOW + STEP*k)}, k = 0..REGULAR; bin of v = number of edges <= v. */
    private static final double[] EDGES = new double[REGULAR + 1];

    static {
        for (int k = 0; k <= REGULAR; k++) {
            EDGES[k] = Math.pow(10.0, LOW + STEP * k);
        }
    }

    private Log10Bins() {}

    /** The bin of a positive, finite magnitude. */
    public static int binOf(double magnitude) {
        if (!(magnitude > 0) || Double.isInfinite(magnitude)) {
            throw new IllegalArgumentException("only positive finite magnitudes are binned, got " + magnitude);
        }
        int lo = 0;
        int hi = EDGES.length;
        while (lo < hi) { // count of edges <= magnitude
            int mid = (lo + hi) >>> 1;
            if (EDGES[mid] <= magnitude) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The lower edge of bin {@code bin} as a magnitude (0 for the underflow bin). */
    public static double lowerEdge(int bin) {
        checkBin(bin);
        return bin == 0 ? 0.0 : EDGES[bin - 1];
    }

    /** The upper edge of bin {@code bin} as a magnitude (+infinity for the overflow bin). */
    public static double upperEdge(int bin) {
        checkBin(bin);
        return bin == COUNT - 1 ? Double.POSITIVE_INFINITY : EDGES[bin];
    }

    /**
     * A short name for the bin in log10 units, used as a CSV column and a JSON key:
     * {@code "<-8"}, {@code "[-8.0,-7.5)"}, ..., {@code ">=2"}.
     */
    public static String label(int bin) {
        checkBin(bin);
        if (bin == 0) {
            return "<" + decade(LOW);
        }
        if (bin == COUNT - 1) {
            return ">=" + decade(HIGH);
        }
        double from = LOW + STEP * (bin - 1);
        return String.format(Locale.ROOT, "[%.1f,%.1f)", from, from + STEP);
    }

    /** A sentence that states the bins, for report headers. */
    public static String description() {
        return "log10|w| of non-zero finite weights in bins of " + STEP + " from " + decade(LOW) + " to "
                + decade(HIGH) + ", with an underflow bin (<" + decade(LOW) + ") and an overflow bin (>="
                + decade(HIGH) + ")";
    }

    private static String decade(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static void checkBin(int bin) {
        if (bin < 0 || bin >= COUNT) {
            throw new IndexOutOfBoundsException("bin " + bin + " of " + COUNT);
        }
    }
}
