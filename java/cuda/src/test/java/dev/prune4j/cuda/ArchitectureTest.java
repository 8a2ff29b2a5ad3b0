package dev.prune4j.cuda;

import dev.prune4j.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** No package cycles in prune4j-cuda, and no use of prune4j-core's internal packages. */
class ArchitectureTest {
    @Test
    void noPackageCyclesAndNoForeignInternals() {
        ArchitectureRules.check(dev.prune4j.cuda.CudaEngine.class);
    }
}
