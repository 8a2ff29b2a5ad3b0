package dev.prune4j.engine;

/**
 * The CUDA engine: kernels in {@code libprune4j} called through FFM. Not built yet; creating it
 * reports why, so {@code auto} falls back to the CPU engine.
 */
public final class CudaEngine {
    private CudaEngine() {}

    public static Engine create() {
        throw new EngineUnavailableException("the CUDA engine is not part of this build");
    }
}
