package dev.prune4j.engine;

import dev.prune4j.tensor.Tensor;

/** Argument checks shared by every engine's N:M kernel. */
public final class NmPatternCheck {
    private NmPatternCheck() {}

    public static void check(Tensor t, int n, int m) {
        if (n <= 0 || n >= m) {
            throw new IllegalArgumentException("N:M pattern needs 0 < N < M, got " + n + ":" + m);
        }
        if (t.cols() % m != 0) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' " + t.shapeString()
                    + ": row length " + t.cols() + " is not a multiple of M = " + m + " for " + n + ":" + m);
        }
    }
}
