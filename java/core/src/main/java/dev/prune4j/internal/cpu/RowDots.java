package dev.prune4j.internal.cpu;

import dev.prune4j.internal.vector.VectorGate;

/** Picks the row kernels once, through the Vector API gate: {@link VectorRowDot} or {@link ScalarRowDot}. */
final class RowDots {
    private RowDots() {}

    static RowDot best() {
        return Holder.BEST;
    }

    private static final class Holder {
        static final RowDot BEST = VectorGate.pick("linear kernels", RowDot.class,
                "dev.prune4j.internal.cpu.VectorRowDot", () -> ScalarRowDot.INSTANCE);
    }
}
