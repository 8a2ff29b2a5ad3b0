package dev.prune4j.engine;

import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.Tensor;

/**
 * Argument checks shared by every engine's kernels, so that all engines accept the same inputs and
 * reject bad ones with the same messages.
 */
public final class KernelArguments {
    private KernelArguments() {}

    /** N:M needs {@code 0 < n < m} and rows that divide into groups of {@code m}. */
    public static void checkNm(Tensor t, int n, int m) {
        if (n <= 0 || n >= m) {
            throw new IllegalArgumentException("N:M pattern needs 0 < N < M, got " + n + ":" + m);
        }
        if (t.cols() % m != 0) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' " + t.shapeString()
                    + ": row length " + t.cols() + " is not a multiple of M = " + m + " for " + n + ":" + m);
        }
    }

    /** Per-row selection works on rows that fit an array, at most {@code cols} per row. */
    public static void checkPerRow(Tensor t, int perRow) {
        long cols = t.cols();
        if (cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + t.name() + "': rows of " + cols + " are too long");
        }
        if (perRow < 0 || perRow > cols) {
            throw new IllegalArgumentException("tensor '" + t.name() + "': cannot prune " + perRow
                    + " of " + cols + " weights per row");
        }
        if (t.rows() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has too many rows: " + t.shapeString());
        }
    }

    /** A live mask, when given, covers the tensor weight for weight. */
    public static void checkLive(Tensor t, Mask live) {
        if (live != null && live.size() != t.numel()) {
            throw new IllegalArgumentException("mask of " + live.size() + " weights does not fit tensor '"
                    + t.name() + "' " + t.shapeString());
        }
    }
}
