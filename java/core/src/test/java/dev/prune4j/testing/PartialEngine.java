package dev.prune4j.testing;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.Kernel;
import dev.prune4j.tensor.Device;
import java.util.Set;

/**
 * A host engine that says it has {@code kernels} and implements none of them: what a device engine
 * whose run-time library did not load looks like to the code that places work ({@code EngineLease}).
 */
public record PartialEngine(Set<Kernel> kernels) implements Engine {
    @Override
    public String name() {
        return "partial";
    }

    @Override
    public String description() {
        return "partial (test)";
    }

    @Override
    public Device device() {
        return Device.HOST;
    }

    @Override
    public EngineArena openArena() {
        throw new UnsupportedOperationException("the partial test engine has no memory of its own");
    }
}
