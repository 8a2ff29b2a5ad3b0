package dev.prune4j.prune;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** How many weights a ratio prunes: exactly {@code floor(r * n)}. */
public final class PruneCount {
    private PruneCount() {}

    /**
     * {@code floor(ratio * n)}, computed on the ratio's shortest decimal form so that a ratio typed
     * as {@code 0.29} prunes 29 of 100 weights (the double product is 28.999999999999996).
     */
    public static long of(double ratio, long n) {
        checkRatio(ratio);
        return new BigDecimal(Double.toString(ratio))
                .multiply(BigDecimal.valueOf(n))
                .setScale(0, RoundingMode.FLOOR)
                .longValueExact();
    }

    public static void checkRatio(double ratio) {
        if (!(ratio >= 0.0 && ratio <= 1.0)) {
            throw new IllegalArgumentException("sparsity must be in [0, 1], got " + ratio);
        }
    }
}
