package dev.prune4j.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prune4j.bindings.NativeLibrary;
import dev.prune4j.bindings.Prune4jH;
import dev.prune4j.cuda.CudaLibraries;
import dev.prune4j.cuda.CudaLibraries.Library;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * The tuning, benchmark, bandwidth and library-status wrappers of {@link CudaGemmPlan} without a GPU:
 * their Java checks reject what the native library rejects (the native calls are made with a NULL
 * context to show it: a value both accept gets as far as the context check), and the library report
 * comes from the real libprune4j. Runs everywhere; the parts that need libprune4j skip without it.
 */
class CudaGemmPlanArgumentsTest {
    private static String lastError() {
        return Prune4jH.prune4j_last_error().reinterpret(4096).getString(0);
    }

    private static void requireLibrary() {
        assumeTrue(NativeLibrary.isAvailable(), () -> "libprune4j not loadable: " + NativeLibrary.describe());
    }

    @Test
    void bandwidthReadsNeedWholePagesOfAtLeastAMebibyte() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaGemmPlan.checkBandwidthArguments(1000, 10));
        assertTrue(e.getMessage().contains("1000 bytes") && e.getMessage().contains("1 MiB"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CudaGemmPlan.checkBandwidthArguments((1L << 20) + 4, 10));
        assertThrows(IllegalArgumentException.class, () -> CudaGemmPlan.checkBandwidthArguments(1L << 30, 0));
        assertDoesNotThrow(() -> CudaGemmPlan.checkBandwidthArguments(1L << 30, 10));

        requireLibrary();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ms = a.allocate(ValueLayout.JAVA_FLOAT, 10);
            assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT, Prune4jH.prune4j_device_read_bandwidth(MemorySegment.NULL,
                    1000, 10, ms));
            assertTrue(lastError().contains("at least 1 MiB"), "the library refuses it too: " + lastError());
            assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT, Prune4jH.prune4j_device_read_bandwidth(MemorySegment.NULL,
                    1L << 30, 10, ms));
            assertTrue(lastError().contains("context is NULL"), "accepted sizes reach the context check: " + lastError());
        }
    }

    @Test
    void benchmarkCountsFollowTheNativeLimits() {
        assertDoesNotThrow(() -> CudaGemmPlan.checkBenchmarkCounts(2, 3, 3, 3, 1000, 50));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaGemmPlan.checkBenchmarkCounts(17, 1, 1, 1, 1000, 50));
        assertTrue(e.getMessage().contains("17 arms"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CudaGemmPlan.checkBenchmarkCounts(0, 1, 1, 1, 1000, 50));
        assertThrows(IllegalArgumentException.class, () -> CudaGemmPlan.checkBenchmarkCounts(2, 1025, 1025, 1025, 0, 1));
        e = assertThrows(IllegalArgumentException.class, () -> CudaGemmPlan.checkBenchmarkCounts(2, 3, 2, 3, 1000, 50));
        assertTrue(e.getMessage().contains("3 copies need as many x and y buffers"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CudaGemmPlan.checkBenchmarkCounts(2, 3, 3, 3, -1, 50));
        assertThrows(IllegalArgumentException.class, () -> CudaGemmPlan.checkBenchmarkCounts(2, 3, 3, 3, 600_001, 50));
        assertThrows(IllegalArgumentException.class, () -> CudaGemmPlan.checkBenchmarkCounts(2, 3, 3, 3, 1000, 0));
        assertThrows(IllegalArgumentException.class,
                () -> CudaGemmPlan.checkBenchmarkCounts(2, 3, 3, 3, 1000, 1_000_001));
    }

    @Test
    void decodeThresholdsAreZeroToSixteenHereAndInTheLibrary() {
        assertDoesNotThrow(() -> CudaGemmPlan.checkDecodeMaxTokens(0));
        assertDoesNotThrow(() -> CudaGemmPlan.checkDecodeMaxTokens(Prune4jH.P4J_DECODE_MAX_TOKENS));
        assertThrows(IllegalArgumentException.class, () -> CudaGemmPlan.checkDecodeMaxTokens(-1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaGemmPlan.checkDecodeMaxTokens(Prune4jH.P4J_DECODE_MAX_TOKENS + 1));
        assertTrue(e.getMessage().contains("0.." + Prune4jH.P4J_DECODE_MAX_TOKENS), e.getMessage());

        requireLibrary();
        assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT,
                Prune4jH.prune4j_gemm_set_default_decode_max_tokens(MemorySegment.NULL, Prune4jH.P4J_DECODE_MAX_TOKENS + 1));
        assertTrue(lastError().contains("0.." + Prune4jH.P4J_DECODE_MAX_TOKENS), lastError());
        assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT,
                Prune4jH.prune4j_gemm_set_default_decode_max_tokens(MemorySegment.NULL, Prune4jH.P4J_DECODE_MAX_TOKENS));
        assertTrue(lastError().contains("context is NULL"), lastError());
    }

    @Test
    void misalignedDevicePointersAreRefusedBeforeAKernelSeesThem() {
        assertDoesNotThrow(() -> CudaGemmPlan.checkAligned(0x7f00_0000_0100L, "x"));
        assertDoesNotThrow(() -> CudaGemmPlan.checkAligned(0x7f00_0000_0010L, "x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CudaGemmPlan.checkAligned(0x7f00_0000_0108L, "x of layer 'q'"));
        assertTrue(e.getMessage().contains("x of layer 'q'") && e.getMessage().contains("0x7f0000000108")
                && e.getMessage().contains("16-byte"), e.getMessage());
    }

    @Test
    void libraryStatusNamesWhereEachLibraryCameFromOrWhereItWasLookedFor() {
        requireLibrary();
        for (Library library : Library.values()) {
            CudaLibraries.Status s = CudaLibraries.status(library);
            assertEquals(library, s.library());
            assertFalse(s.message().isBlank(), s.toString());
            String soname = switch (library) {
                case CUBLASLT -> "libcublasLt";
                case CUSPARSELT -> "libcusparseLt";
                case CUSOLVER -> "libcusolver";
            };
            assertTrue(s.message().contains(soname), s.toString());
            assertTrue(s.toString().startsWith(library.label), s.toString());
            if (!s.available()) {
                assertTrue(s.message().contains("PRUNE4J_CUDA_LIBS"), "tells how to point at it: " + s);
                assertTrue(s.toString().contains("not available"), s.toString());
            }
        }
    }
}
