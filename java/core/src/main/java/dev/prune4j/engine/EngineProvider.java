package dev.prune4j.engine;

/**
 * Makes an engine; found with {@link java.util.ServiceLoader} (a module's {@code provides}, or
 * {@code META-INF/services/dev.prune4j.engine.EngineProvider} on the class path). prune4j-core
 * provides {@code cpu}; the prune4j-cuda jar provides {@code cuda}. {@link Engines#create} picks
 * one by name, or for {@code auto} the one of highest {@link #priority()} that starts here.
 */
public interface EngineProvider {
    /** The engine's name, as {@code --engine} spells it: {@code cpu}, {@code cuda}. */
    String name();

    /** {@code auto} tries providers from the highest priority down; the CPU engine has 0. */
    int priority();

    /**
     * A new engine.
     *
     * @throws EngineUnavailableException saying why when it cannot run here (no driver, no device,
     *                                    no native library), so that {@code auto} falls back
     */
    Engine create();
}
