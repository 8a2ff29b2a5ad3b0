package dev.prune4j.prune;

import dev.prune4j.tensor.Tensor;

/**
 * Semi-structured sparsity: in every group of {@code m} consecutive weights of a row (along
 * {@code in_features}), {@code n} are kept. 2:4 is what sparse tensor cores run.
 */
public record NmPattern(int n, int m) {
    public static final NmPattern TWO_FOUR = new NmPattern(2, 4);

    public NmPattern {
        if (n <= 0 || n >= m) {
            throw new IllegalArgumentException("N:M pattern needs 0 < N < M, got " + n + ":" + m);
        }
    }

    /** Parses {@code "2:4"}. */
    public static NmPattern parse(String s) {
        String[] parts = s.split(":", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("pattern must look like N:M (for example 2:4), got '" + s + "'");
        }
        try {
            return new NmPattern(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("pattern must look like N:M (for example 2:4), got '" + s + "'");
        }
    }

    /** Throws unless the rows of {@code t} divide into groups of {@code m}. */
    public void requireFits(Tensor t) {
        if (t.cols() % m != 0) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' " + t.shapeString()
                    + ": row length " + t.cols() + " is not a multiple of M = " + m + " for " + n + ":" + m);
        }
    }

    /** Fraction of weights pruned: {@code 1 - n/m}. */
    public double sparsity() {
        return 1.0 - (double) n / m;
    }

    @Override
    public String toString() {
        return n + ":" + m;
    }
}
