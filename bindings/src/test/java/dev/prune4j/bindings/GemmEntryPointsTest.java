package dev.prune4j.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The GEMM tuning, timing and library entry points through the bindings, without a GPU:
 * argument checks that run before any CUDA call, and the run-time library report (cuSPARSELt is
 * never installed by the build, so on a build machine it reports where it looked).
 */
class GemmEntryPointsTest {
    @BeforeAll
    static void libraryPresent() {
        assumeTrue(NativeLibrary.isAvailable(), "libprune4j not loadable: " + NativeLibrary.describe());
    }

    private static String lastError() {
        return Prune4jH.prune4j_last_error().reinterpret(4096).getString(0);
    }

    @Test
    void decodeThresholdSettersCheckTheirArguments() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT, Prune4jH.prune4j_gemm_set_decode_max_tokens(MemorySegment.NULL, 17));
            assertTrue(lastError().contains("0..16"), lastError());
            assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT, Prune4jH.prune4j_gemm_set_decode_max_tokens(MemorySegment.NULL, 4));
            assertTrue(lastError().contains("plan is NULL"), lastError());
            assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT,
                    Prune4jH.prune4j_gemm_set_default_decode_max_tokens(MemorySegment.NULL, 8));
            assertTrue(lastError().contains("context is NULL"), lastError());
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT, Prune4jH.prune4j_gemm_decode_max_tokens(MemorySegment.NULL, value));
        }
    }

    @Test
    void tunersAndBenchmarkRejectMissingHandles() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chosen = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment times = arena.allocate(ValueLayout.JAVA_FLOAT, 16);
            assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT,
                    Prune4jH.prune4j_gemm_tune(MemorySegment.NULL, 16, 10, chosen, times));
            assertEquals(-1, chosen.get(ValueLayout.JAVA_INT, 0), "out-parameters are written on failure");
            assertEquals(-1.0f, times.get(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT,
                    Prune4jH.prune4j_gemm_tune_decode(MemorySegment.NULL, 10, chosen, times, times));
            assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT, Prune4jH.prune4j_gemm_benchmark(MemorySegment.NULL, 1,
                    MemorySegment.NULL, MemorySegment.NULL, 1, 1, MemorySegment.NULL, MemorySegment.NULL,
                    Prune4jH.P4J_BENCH_FLUSH_L2, 1000, 10, times));
            assertTrue(lastError().contains("context is NULL"), lastError());
            assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT,
                    Prune4jH.prune4j_device_read_bandwidth(MemorySegment.NULL, 1000, 10, times));
            assertTrue(lastError().contains("at least 1 MiB"), lastError());
        }
    }

    @Test
    void libraryStatusSaysWhereItLooked() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment available = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment message = arena.allocate(4096);
            assertEquals(Prune4jH.P4J_OK, Prune4jH.prune4j_library_status(Prune4jH.P4J_LIBRARY_CUSPARSELT, available,
                    message, 4096));
            String text = message.getString(0);
            if (available.get(ValueLayout.JAVA_INT, 0) == 0) {
                assertTrue(text.contains("libcusparseLt.so.0") && text.contains("PRUNE4J_CUDA_LIBS"), text);
            } else {
                assertTrue(text.contains("libcusparseLt"), text);
            }
            assertEquals(Prune4jH.P4J_OK, Prune4jH.prune4j_library_status(Prune4jH.P4J_LIBRARY_CUSOLVER, available,
                    message, 4096));
            text = message.getString(0);
            if (available.get(ValueLayout.JAVA_INT, 0) == 0) {
                assertTrue(text.contains("libcusolver.so.12") && text.contains("PRUNE4J_CUDA_LIBS"), text);
            } else {
                assertTrue(text.contains("libcusolver"), text);
            }
            assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT, Prune4jH.prune4j_library_status(7, available, message, 4096));
        }
    }
}
