package dev.prune4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.Kernel;
import dev.prune4j.owl.OwlAllocation;
import dev.prune4j.refine.SparseSwaps;
import dev.prune4j.ria.Ria;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Runs everywhere (no GPU): which kernels the CUDA engine lists for which run-time libraries. RIA's
 * and OWL's kernels are libprune4j's own; SparseSwaps' D H product is a cuBLASLt GEMM, so without
 * cuBLASLt the refinement runs on the CPU engine (EngineLease) instead of failing half-way.
 */
class CudaEngineKernelsTest {
    @Test
    void methodKernelsAreListedOnlyWithTheLibrariesTheyNeed() {
        Set<Kernel> bare = CudaEngine.availableKernels(library -> false);
        assertTrue(bare.containsAll(EnumSet.of(Kernel.RIA_SCORES, Kernel.SCORE_SUM, Kernel.COUNT_ABOVE,
                Kernel.MASK_SWAPS)), bare.toString());
        assertFalse(bare.contains(Kernel.HESSIAN_PRODUCT), "needs cuBLASLt: " + bare);
        assertFalse(bare.containsAll(SparseSwaps.KERNELS), "SparseSwaps leases the CPU without cuBLASLt");
        assertTrue(bare.containsAll(Ria.KERNELS), "RIA needs no run-time library: " + bare);
        assertTrue(bare.containsAll(OwlAllocation.KERNELS), "OWL needs no run-time library: " + bare);

        Set<Kernel> withLt = CudaEngine.availableKernels(library -> library == CudaLibraries.Library.CUBLASLT);
        assertTrue(withLt.containsAll(SparseSwaps.KERNELS), withLt.toString());
        assertFalse(withLt.contains(Kernel.CHOLESKY_INVERSE), "cuSOLVER's kernel waits for cuSOLVER");

        Set<Kernel> all = CudaEngine.availableKernels(library -> true);
        assertEquals(EnumSet.allOf(Kernel.class), EnumSet.copyOf(all), "with every library, every kernel");
    }
}
