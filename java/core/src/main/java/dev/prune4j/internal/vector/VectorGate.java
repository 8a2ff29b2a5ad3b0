package dev.prune4j.internal.vector;

import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The one place that decides whether the incubating Vector API is used. Kernels that use it live
 * in classes of their own, loaded by name only after this gate said yes, so that nothing else ever
 * loads {@code jdk.incubator.vector}; each kernel family has a plain-Java twin that runs otherwise.
 * Every choice is logged once, with the reason when it falls back.
 */
public final class VectorGate {
    private static final Logger LOG = Logger.getLogger(VectorGate.class.getName());

    private VectorGate() {}

    /** True when {@code jdk.incubator.vector} is in the boot layer ({@code --add-modules jdk.incubator.vector}). */
    public static boolean enabled() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * An instance of {@code vectorClass} (a class with a no-argument constructor implementing
     * {@code type}) when the Vector API is enabled and the class loads and constructs (its
     * constructor may refuse a CPU by throwing {@link UnsupportedOperationException}); otherwise
     * {@code fallback}'s. {@code family} names the kernels in the log line.
     */
    public static <T> T pick(String family, Class<T> type, String vectorClass, Supplier<? extends T> fallback) {
        if (!enabled()) {
            LOG.info(family + ": plain Java (run with --add-modules jdk.incubator.vector for the Vector API)");
            return fallback.get();
        }
        try {
            // Kernel classes are package-private: this module opens its own constructors to itself.
            var constructor = Class.forName(vectorClass, true, VectorGate.class.getClassLoader())
                    .getDeclaredConstructor();
            constructor.setAccessible(true);
            T kernel = type.cast(constructor.newInstance());
            LOG.fine(family + ": Vector API");
            return kernel;
        } catch (ReflectiveOperationException | LinkageError | UnsupportedOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            LOG.info(family + ": plain Java, the Vector API kernels cannot run here: " + cause);
            return fallback.get();
        }
    }
}
