package dev.prune4j.cuda;

import dev.prune4j.engine.EngineUnavailableException;
import org.junit.jupiter.api.Assumptions;

/**
 * The CUDA device a gpu test class shares: opened once in its {@code @BeforeAll}, or the reason
 * there is none. Each test calls {@link #assumePresent} (in {@code @BeforeEach}), so without a GPU
 * every test is reported as skipped with that reason, never as passed.
 */
final class GpuDevice implements AutoCloseable {
    private final CudaEngine engine;
    private final String unavailable;

    private GpuDevice(CudaEngine engine, String unavailable) {
        this.engine = engine;
        this.unavailable = unavailable;
    }

    /** Device 0, or none with the reason (no library, no driver, no device). */
    static GpuDevice open() {
        try {
            CudaEngine engine = CudaEngine.create(0);
            System.out.println("gpu tests on " + engine.description());
            return new GpuDevice(engine, null);
        } catch (EngineUnavailableException e) {
            return new GpuDevice(null, "no usable CUDA device: " + e.getMessage());
        }
    }

    /** The engine, or null without a device. */
    CudaEngine engine() {
        return engine;
    }

    boolean present() {
        return engine != null;
    }

    /** Skips the calling test, saying why, when there is no device. */
    void assumePresent() {
        Assumptions.assumeTrue(engine != null, () -> unavailable);
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
