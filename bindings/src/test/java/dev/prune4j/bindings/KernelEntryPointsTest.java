package dev.prune4j.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The calibration, Wanda and SparseGPT entry points through the real library, with or without a
 * GPU: each rejects a NULL context with the library's message and writes its out-parameters
 * first. Skipped when the library is not built.
 */
class KernelEntryPointsTest {
    private static final MemorySegment NULL = MemorySegment.NULL;

    @BeforeAll
    static void libraryPresent() {
        assumeTrue(NativeLibrary.isAvailable(), "libprune4j not loadable: " + NativeLibrary.describe());
    }

    private static void rejectsNullContext(String name, IntSupplier call) {
        int status = call.getAsInt();
        assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT, status, name);
        String message = Prune4jH.prune4j_last_error().reinterpret(4096).getString(0);
        assertTrue(message.contains("context is NULL"), name + ": " + message);
    }

    @Test
    void everyNewEntryPointRejectsANullContext() {
        int f16 = Prune4jH.P4J_DTYPE_F16;
        int f32 = Prune4jH.P4J_DTYPE_F32;
        rejectsNullContext("accumulate_squared_norms",
                () -> Prune4jH.prune4j_accumulate_squared_norms(NULL, NULL, f16, 4, 4, NULL, NULL, NULL));
        rejectsNullContext("hessian_update",
                () -> Prune4jH.prune4j_hessian_update(NULL, NULL, 4, NULL, f16, 4, 1f, 1f, NULL, NULL));
        rejectsNullContext("wanda_scores", () -> Prune4jH.prune4j_wanda_scores(NULL, NULL, f16, 4, 4, NULL, 1, NULL));
        rejectsNullContext("convert", () -> Prune4jH.prune4j_convert(NULL, NULL, f16, NULL, f32, 4));
        rejectsNullContext("sparsegpt_dead_inputs", () -> Prune4jH.prune4j_sparsegpt_dead_inputs(NULL, NULL, 4, NULL, 4, NULL));
        rejectsNullContext("sparsegpt_damp", () -> Prune4jH.prune4j_sparsegpt_damp(NULL, NULL, 4, 0.01, NULL, NULL));
        rejectsNullContext("cholesky_inverse_upper", () -> Prune4jH.prune4j_cholesky_inverse_upper(NULL, NULL, 4, NULL));
        rejectsNullContext("obs_scores", () -> Prune4jH.prune4j_obs_scores(NULL, NULL, 4, 4, NULL, 0, 4, NULL));
        rejectsNullContext("obs_block", () -> Prune4jH.prune4j_obs_block(NULL, NULL, 4, 4, NULL, 0, 4, NULL, 0, 0, NULL));
        rejectsNullContext("obs_trailing_update",
                () -> Prune4jH.prune4j_obs_trailing_update(NULL, NULL, 4, 8, NULL, NULL, 0, 4));
        rejectsNullContext("mask_insert_block", () -> Prune4jH.prune4j_mask_insert_block(NULL, NULL, 4, 4, NULL, 8, 0));
        rejectsNullContext("row_quadratic_form_sum",
                () -> Prune4jH.prune4j_row_quadratic_form_sum(NULL, NULL, f32, NULL, f32, 4, 4, NULL, NULL));
        rejectsNullContext("magnitude_histogram_async", () -> Prune4jH.prune4j_magnitude_histogram_async(NULL, NULL, f16,
                4, NULL, Prune4jH.P4J_KEYS_F16_BITS, 0, 15, 0, NULL, NULL));
    }

    @Test
    void outParametersAreWrittenBeforeTheContextIsChecked() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(Prune4jH.C_LONG);
            MemorySegment b = arena.allocate(Prune4jH.C_LONG);
            a.set(Prune4jH.C_LONG, 0, 77L);
            b.set(Prune4jH.C_LONG, 0, 77L);
            Prune4jH.prune4j_accumulate_squared_norms(NULL, NULL, Prune4jH.P4J_DTYPE_F16, 4, 4, NULL, a, b);
            assertEquals(-1L, a.get(Prune4jH.C_LONG, 0));
            assertEquals(-1L, b.get(Prune4jH.C_LONG, 0));
            a.set(Prune4jH.C_LONG, 0, 77L);
            b.set(Prune4jH.C_LONG, 0, 77L);
            Prune4jH.prune4j_hessian_update(NULL, NULL, 4, NULL, Prune4jH.P4J_DTYPE_F16, 4, 1f, 1f, a, b);
            assertEquals(-1L, a.get(Prune4jH.C_LONG, 0));
            assertEquals(-1L, b.get(Prune4jH.C_LONG, 0));
            MemorySegment info = arena.allocate(Prune4jH.C_INT);
            info.set(Prune4jH.C_INT, 0, 5);
            Prune4jH.prune4j_cholesky_inverse_upper(NULL, NULL, 4, info);
            assertEquals(0, info.get(Prune4jH.C_INT, 0));
            MemorySegment result = arena.allocate(Prune4jH.C_DOUBLE);
            result.set(Prune4jH.C_DOUBLE, 0, 3.5);
            Prune4jH.prune4j_row_quadratic_form_sum(NULL, NULL, Prune4jH.P4J_DTYPE_F32, NULL, Prune4jH.P4J_DTYPE_F32, 4, 4,
                    NULL, result);
            assertEquals(0.0, result.get(Prune4jH.C_DOUBLE, 0));
        }
    }
}
