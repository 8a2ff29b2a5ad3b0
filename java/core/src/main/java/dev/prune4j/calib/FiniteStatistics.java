package dev.prune4j.calib;

import dev.prune4j.tensor.Tensor;

/**
 * The check after every batch that the statistics are still finite. They are F32 (the file format
 * and the kernels), and finite inputs can overflow them: one input of 3e38 squares to +Inf, and an
 * infinite norm silently turns Wanda's scores into ties (a mask that prunes the first half of every
 * row) and a Hessian into garbage. Checked on the host after every batch; statistics kept on a
 * device are checked once they come to the host ({@code copyToHost}), naming the statistics.
 */
final class FiniteStatistics {
    private FiniteStatistics() {}

    /** Every sum of squares in {@code normSq} is finite, or an error naming the inputs {@code x}. */
    static void requireFiniteSums(Tensor normSq, Tensor x) {
        requireFiniteSums(normSq, "inputs '" + x.name() + "'");
    }

    /** The same, for {@code subject} ({@code inputs 'x'} or {@code statistics 's'}) in the message. */
    static void requireFiniteSums(Tensor normSq, String subject) {
        if (!normSq.isHost()) {
            return;
        }
        for (long j = 0; j < normSq.numel(); j++) {
            float v = normSq.getFloat(j);
            if (!Float.isFinite(v)) {
                throw overflow(subject, "the sum of squares of input channel " + j, v);
            }
        }
    }

    /**
     * The diagonal of {@code h} is finite, or an error naming the inputs {@code x}. The diagonal
     * suffices: by Cauchy-Schwarz {@code |H_ij| <= sqrt(H_ii H_jj)}, so no entry overflows while
     * the diagonal does not, and the diagonal costs {@code in} reads where the whole matrix costs
     * {@code in^2}, as much as a small batch's update.
     */
    static void requireFiniteDiagonal(Tensor h, Tensor x) {
        requireFiniteDiagonal(h, "inputs '" + x.name() + "'");
    }

    /** The same, for {@code subject} in the message. */
    static void requireFiniteDiagonal(Tensor h, String subject) {
        if (!h.isHost()) {
            return;
        }
        long n = h.dim(0);
        for (long j = 0; j < n; j++) {
            float v = h.getFloat(j * n + j);
            if (!Float.isFinite(v)) {
                throw overflow(subject, "the Hessian's diagonal entry " + j, v);
            }
        }
    }

    static IllegalArgumentException overflow(String subject, String what, float value) {
        return new IllegalArgumentException(subject + ": " + what + " is " + value
                + " after this batch; the inputs are too large for F32 statistics (|x| above about 1e19"
                + " overflows a square), scale them down");
    }
}
