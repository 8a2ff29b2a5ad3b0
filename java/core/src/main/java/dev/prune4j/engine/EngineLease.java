package dev.prune4j.engine;

import java.util.EnumSet;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The engine to run an algorithm on: the one asked for when it has every kernel the algorithm
 * calls, otherwise a CPU engine made for it (one log line says why). Closing the lease closes that
 * CPU engine, never the engine passed in. This is the one place where work moves between engines,
 * and it moves whole algorithms (a layer's Wanda, a checkpoint's SparseGPT), never single kernels.
 *
 * <pre>{@code
 * try (EngineLease lease = EngineLease.withKernels(engine, Wanda.KERNELS, "Wanda")) {
 *     Wanda.prune(lease.engine(), weight, stats, spec, null, arena);
 * }
 * }</pre>
 */
public final class EngineLease implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EngineLease.class.getName());

    private final Engine engine;
    private final boolean owned;

    private EngineLease(Engine engine, boolean owned) {
        this.engine = engine;
        this.owned = owned;
    }

    /** {@code preferred} when it has all of {@code kernels}; else a new CPU engine; {@code purpose} names the work in the log. */
    public static EngineLease withKernels(Engine preferred, Set<Kernel> kernels, String purpose) {
        if (preferred.kernels().containsAll(kernels)) {
            return new EngineLease(preferred, false);
        }
        Set<Kernel> missing = kernels.isEmpty() ? EnumSet.noneOf(Kernel.class) : EnumSet.copyOf(kernels);
        missing.removeAll(preferred.kernels());
        Engine cpu = Engines.create("cpu");
        LOG.info(purpose + " runs on " + cpu.description() + ": engine '" + preferred.name() + "' has no kernels for "
                + missing.stream().map(Kernel::description).toList());
        return new EngineLease(cpu, true);
    }

    public Engine engine() {
        return engine;
    }

    /** True when the work moved to a CPU engine of its own. */
    public boolean movedToCpu() {
        return owned;
    }

    @Override
    public void close() {
        if (owned) {
            engine.close();
        }
    }
}
