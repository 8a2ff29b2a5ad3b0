package dev.prune4j.analysis;

import java.util.Locale;

/** Weight counts for people: {@code 4096}, {@code 16.8M}, {@code 6.74G}. */
public final class Counts {
    private Counts() {}

    /** {@code n} exactly below 10,000, else with three significant digits and a k/M/G/T unit. */
    public static String compact(long n) {
        if (n < 10_000) {
            return Long.toString(n);
        }
        String[] units = {"k", "M", "G", "T"};
        double v = n;
        int u = -1;
        while (v >= 999.5 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v >= 99.95 ? "%.0f%s" : v >= 9.995 ? "%.1f%s" : "%.2f%s", v, units[u]);
    }
}
