package dev.prune4j.owl;

/**
 * OWL's two hyper-parameters (Yin et al. 2024, section 3): a weight is an outlier of its decoder
 * layer when its score {@code |W_ij| * ||X_j||} exceeds {@code m} times the layer's mean score, and
 * the layer sparsities spread over {@code [r - lambda, r + lambda]} by their outlier ratios.
 *
 * <p>For N:M, as the reference code's structured variant, {@code lambda} counts weights per group
 * of M instead: a layer keeps {@code N + round(s_l)} with {@code s_l} spread over a range of
 * {@code lambda} and centred; below 0.5 that rounds to N everywhere (the reference runs N:M with
 * lambda 2 and M 6).
 *
 * @param lambda the spread, {@code >= 0} (the paper's 0.08)
 * @param m      the outlier threshold over the mean, {@code > 0} (the paper's 5)
 */
public record OwlOptions(double lambda, double m) {
    public static final OwlOptions DEFAULT = new OwlOptions(0.08, 5);

    public OwlOptions {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("OWL lambda must be a finite number >= 0, got " + lambda);
        }
        if (!(m > 0) || Double.isInfinite(m)) {
            throw new IllegalArgumentException("OWL M must be a finite number > 0, got " + m);
        }
    }

    public OwlOptions withLambda(double l) {
        return new OwlOptions(l, m);
    }

    public OwlOptions withM(double threshold) {
        return new OwlOptions(lambda, threshold);
    }
}
