package dev.prune4j.model.bert;

/**
 * The error function, for the exact GELU {@code 0.5 x (1 + erf(x / sqrt 2))} that BERT uses
 * (PyTorch's default {@code approximate='none'}), since {@link Math} has no erf.
 *
 * <p>{@link #erf(double)} is accurate to about 1e-13: its Taylor series up to |x| = 3, a continued
 * fraction for erfc beyond. {@link #erfFast(double)} interpolates a table of those values with
 * cubic Hermite polynomials (the derivative is known in closed form), accurate to about 1e-10, a
 * thousand times below float precision, at the cost of a table lookup.
 */
public final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    private static final double SERIES_LIMIT = 3.0;
    /** Beyond this, erf(x) rounds to 1 in double precision. */
    private static final double SATURATION = 6.0;
    private static final int STEPS_PER_UNIT = 128;
    private static final double STEP = 1.0 / STEPS_PER_UNIT;
    private static final double[] VALUE = new double[(int) (SATURATION * STEPS_PER_UNIT) + 2];
    private static final double[] SLOPE = new double[VALUE.length];

    static {
        for (int i = 0; i < VALUE.length; i++) {
            double x = i * STEP;
            VALUE[i] = erf(x);
            SLOPE[i] = TWO_OVER_SQRT_PI * Math.exp(-x * x);
        }
    }

    private Erf() {}

    /** erf(x), to about 1e-13. */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double r;
        if (a <= SERIES_LIMIT) {
            // erf(a) = 2/sqrt(pi) * sum_n (-1)^n a^(2n+1) / (n! (2n+1))
            double term = a;
            double sum = a;
            double a2 = a * a;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -a2 / n;
                sum += term / (2 * n + 1);
            }
            r = TWO_OVER_SQRT_PI * sum;
        } else if (a < SATURATION) {
            r = 1.0 - erfcContinuedFraction(a);
        } else {
            r = 1.0;
        }
        return x < 0 ? -r : r;
    }

    // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...))))), evaluated
    // from the tail; 80 levels converge for a >= 3.
    private static double erfcContinuedFraction(double a) {
        double f = a;
        for (int k = 80; k >= 1; k--) {
            f = a + (k / 2.0) / f;
        }
        return Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
    }

    /** erf(x) from the table, to about 1e-10. */
    public static double erfFast(double x) {
        double a = Math.abs(x);
        if (!(a < SATURATION)) {
            return Double.isNaN(x) ? x : Math.copySign(1.0, x);
        }
        double pos = a * STEPS_PER_UNIT;
        int i = (int) pos;
        double t = pos - i;
        // Cubic Hermite on [x_i, x_i+1] with values and slopes at both ends.
        double t2 = t * t;
        double t3 = t2 * t;
        double h00 = 2 * t3 - 3 * t2 + 1;
        double h10 = t3 - 2 * t2 + t;
        double h01 = -2 * t3 + 3 * t2;
        double h11 = t3 - t2;
        double r = h00 * VALUE[i] + h10 * STEP * SLOPE[i] + h01 * VALUE[i + 1] + h11 * STEP * SLOPE[i + 1];
        return x < 0 ? -r : r;
    }

    /** GELU as BERT's {@code "gelu"}: {@code 0.5 x (1 + erf(x / sqrt 2))}. */
    public static float gelu(float x) {
        return (float) (0.5 * x * (1.0 + erfFast(x * 0.7071067811865476)));
    }
}
