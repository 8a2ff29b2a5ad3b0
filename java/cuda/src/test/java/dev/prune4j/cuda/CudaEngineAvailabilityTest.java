package dev.prune4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineUnavailableException;
import dev.prune4j.engine.EngineProvider;
import dev.prune4j.engine.Engines;
import java.util.Locale;
import java.util.ServiceLoader;
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
    void theServiceLoaderFindsTheCudaProvider() {
        boolean found = false;
        for (EngineProvider p : ServiceLoader.load(EngineProvider.class)) {
            found |= p instanceof CudaEngineProvider && p.name().equals("cuda") && p.priority() > 0;
        }
        assertTrue(found, "prune4j-cuda registers its EngineProvider");
        try (Engine e = Engines.create("cuda")) {
            assertEquals("cuda", e.name());
        } catch (EngineUnavailableException e) {
            assertTrue(!e.getMessage().contains("not on the class path"), e.getMessage());
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
