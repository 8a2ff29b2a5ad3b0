package dev.prune4j.engine;

/** An engine was asked for a kernel it does not have (see {@link Engine#kernels()}). */
public final class UnsupportedKernelException extends UnsupportedOperationException {
    private final Kernel kernel;

    public UnsupportedKernelException(Engine engine, Kernel kernel) {
        super("engine '" + engine.name() + "' has no " + kernel.description() + " kernel; it offers "
                + engine.kernels() + " (run the method on a CPU engine, or see EngineLease)");
        this.kernel = kernel;
    }

    public Kernel kernel() {
        return kernel;
    }
}
