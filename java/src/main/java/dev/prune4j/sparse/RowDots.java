package dev.prune4j.sparse;

import java.util.logging.Logger;

/**
 * Picks the row kernels once: the Vector API ones when {@code jdk.incubator.vector} is in the boot
 * layer ({@code --add-modules jdk.incubator.vector}) and supports this CPU's vector width, the
 * scalar ones otherwise, with one log line saying why.
 */
final class RowDots {
    private static final Logger LOG = Logger.getLogger(RowDots.class.getName());

    private RowDots() {}

    static RowDot best() {
        return Holder.BEST;
    }

    private static final class Holder {
        static final RowDot BEST = pick();
    }

    private static RowDot pick() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            LOG.info("linear kernels: scalar, the Vector API is not enabled (--add-modules jdk.incubator.vector)");
            return ScalarRowDot.INSTANCE;
        }
        try {
            return new VectorRowDot();
        } catch (UnsupportedOperationException | LinkageError e) {
            LOG.info("linear kernels: scalar, the Vector API kernels cannot run here: " + e.getMessage());
            return ScalarRowDot.INSTANCE;
        }
    }
}
