package dev.prune4j.cuda;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineProvider;

/** {@code cuda}: the CUDA engine on device 0; preferred by {@code auto} whenever it starts. */
public final class CudaEngineProvider implements EngineProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Engine create() {
        return CudaEngine.create();
    }
}
