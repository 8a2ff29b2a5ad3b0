package dev.prune4j.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calls into the real library through the bindings, with or without a GPU: status codes, error
 * messages and argument checks that run before any CUDA call. Skipped when the library is not built.
 */
class LibraryCallsTest {
    @BeforeAll
    static void libraryPresent() {
        assumeTrue(NativeLibrary.isAvailable(), "libprune4j not loadable: " + NativeLibrary.describe());
    }

    @Test
    void abiVersionMatchesTheBindings() {
        CudaContext.checkAbiVersion();
    }

    @Test
    void deviceCountIsANumberOrANoDriverError() {
        try {
            int count = CudaContext.deviceCount();
            assertTrue(count >= 0);
        } catch (Prune4jException e) {
            assertEquals(Prune4jH.P4J_ERR_NO_DRIVER, e.status(), e.getMessage());
            assertTrue(e.getMessage().contains("cudaGetDeviceCount"), e.getMessage());
        }
    }

    @Test
    void aNullContextIsRejectedWithAMessage() {
        Prune4jException e = assertThrows(Prune4jException.class, () -> CudaContext.check(
                Prune4jH.prune4j_prune_nm(MemorySegment.NULL, MemorySegment.NULL, Prune4jH.P4J_DTYPE_F16, 8, 2, 4,
                        MemorySegment.NULL, MemorySegment.NULL),
                "prune4j_prune_nm"));
        assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT, e.status());
        assertTrue(e.getMessage().contains("context is NULL"), e.getMessage());
    }

    @Test
    void outParametersAreWrittenEvenWhenACallFails() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nanIndex = arena.allocate(Prune4jH.C_LONG);
            nanIndex.set(Prune4jH.C_LONG, 0, 1234L);
            int status = Prune4jH.prune4j_prune_nm(MemorySegment.NULL, MemorySegment.NULL, Prune4jH.P4J_DTYPE_F16, 8,
                    2, 4, MemorySegment.NULL, nanIndex);
            assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT, status);
            assertEquals(-1L, nanIndex.get(Prune4jH.C_LONG, 0));
        }
    }

    @Test
    void contextDestroyAcceptsNull() {
        assertEquals(Prune4jH.P4J_OK, Prune4jH.prune4j_context_destroy(MemorySegment.NULL));
    }
}
