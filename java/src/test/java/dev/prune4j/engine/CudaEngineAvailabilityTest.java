package dev.prune4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Runs everywhere: the CUDA engine either starts or says why not, and auto falls back. */
class CudaEngineAvailabilityTest {
    @Test
    void createEitherWorksOrExplainsWhy() {
        try (Engine e = CudaEngine.create()) {
            assertEquals("cuda", e.name());
            assertTrue(e.description().contains("device 0"), e.description());
        } catch (EngineUnavailableException e) {
            String why = e.getMessage().toLowerCase(Locale.ROOT);
            assertTrue(why.contains("native library") || why.contains("driver") || why.contains("device"),
                    "unclear reason: " + e.getMessage());
        }
    }

    @Test
    void autoPicksCudaOnlyWhenCreateSucceeds() {
        boolean cudaUsable;
        try (Engine e = CudaEngine.create()) {
            cudaUsable = true;
        } catch (EngineUnavailableException e) {
            cudaUsable = false;
        }
        try (Engine auto = Engines.create("auto")) {
            assertEquals(cudaUsable ? "cuda" : "cpu", auto.name());
        }
    }
}
