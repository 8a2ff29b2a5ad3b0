package dev.prune4j.model.eval;

import dev.prune4j.model.bert.Linear;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/** The measured sparsity of a model's linear layers: what a table's "actual sparsity" column shows. */
public final class LinearSparsity {
    private static final ValueLayout.OfInt BITS = ValueLayout.JAVA_INT_UNALIGNED;

    private LinearSparsity() {}

    /** Fraction of exactly-zero weights (either sign) over all of {@code layers}; their weights are F32. */
    public static double zeroFraction(List<Linear> layers) {
        long zeros = 0, total = 0;
        for (Linear l : layers) {
            MemorySegment w = l.weight().data();
            long n = l.weight().numel();
            for (long i = 0; i < n; i++) {
                zeros += (w.getAtIndex(BITS, i) & 0x7FFFFFFF) == 0 ? 1 : 0;
            }
            total += n;
        }
        if (total == 0) {
            throw new IllegalArgumentException("no linear weights to measure");
        }
        return (double) zeros / total;
    }
}
