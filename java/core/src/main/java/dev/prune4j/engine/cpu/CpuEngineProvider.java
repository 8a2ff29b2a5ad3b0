package dev.prune4j.engine.cpu;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineProvider;

/** {@code cpu}: the pure-Java engine on every available processor; always starts. */
public final class CpuEngineProvider implements EngineProvider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Engine create() {
        return new CpuEngine();
    }
}
