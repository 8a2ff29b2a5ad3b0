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
 * RIA's, OWL's and SparseSwaps' entry points through the real library, with or without a GPU: the
 * checks that need no device (shapes, options, out-parameters) come before the context check and
 * say what is wrong; valid arguments get as far as the NULL context; out-parameters are zeroed
 * first. Skipped when the library is not built.
 */
class MethodEntryPointsTest {
    private static final MemorySegment NULL = MemorySegment.NULL;
    private static final int F32 = Prune4jH.P4J_DTYPE_F32;

    @BeforeAll
    static void libraryPresent() {
        assumeTrue(NativeLibrary.isAvailable(), "libprune4j not loadable: " + NativeLibrary.describe());
    }

    private static String lastError() {
        return Prune4jH.prune4j_last_error().reinterpret(4096).getString(0);
    }

    /** The call fails with INVALID_ARGUMENT and a message that contains {@code expected}. */
    private static void rejects(String expected, IntSupplier call) {
        assertEquals(Prune4jH.P4J_ERR_INVALID_ARGUMENT, call.getAsInt(), expected);
        assertTrue(lastError().contains(expected), "expected '" + expected + "' in: " + lastError());
    }

    @Test
    void validArgumentsReachTheContextCheck() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(Prune4jH.C_LONG);
            rejects("context is NULL", () -> Prune4jH.prune4j_ria_scores(NULL, NULL, F32, 4, 4, NULL, 1, 0.5, NULL));
            rejects("context is NULL", () -> Prune4jH.prune4j_score_sum(NULL, NULL, 4, out));
            rejects("context is NULL", () -> Prune4jH.prune4j_count_above(NULL, NULL, 4, 1f, out));
            rejects("context is NULL", () -> Prune4jH.prune4j_hessian_product(NULL, NULL, 4, 4, NULL, NULL));
            rejects("context is NULL",
                    () -> Prune4jH.prune4j_mask_swaps(NULL, NULL, NULL, NULL, NULL, 4, 8, NULL, 4, 10, 0, 1e-6, out));
            // Empty work is still checked against the context: a NULL context is a bug at any size.
            rejects("context is NULL", () -> Prune4jH.prune4j_score_sum(NULL, NULL, 0, out));
            rejects("context is NULL",
                    () -> Prune4jH.prune4j_mask_swaps(NULL, NULL, NULL, NULL, NULL, 0, 8, NULL, 8, 0, 40, 0, out));
        }
    }

    @Test
    void riaScoresCheckShapesTokensExponentAndDtypeFirst() {
        rejects("shape [-1, 4]", () -> Prune4jH.prune4j_ria_scores(NULL, NULL, F32, -1, 4, NULL, 1, 0.5, NULL));
        rejects("0 tokens", () -> Prune4jH.prune4j_ria_scores(NULL, NULL, F32, 4, 4, NULL, 0, 0.5, NULL));
        rejects("exponent -1", () -> Prune4jH.prune4j_ria_scores(NULL, NULL, F32, 4, 4, NULL, 1, -1, NULL));
        rejects("exponent nan", () -> Prune4jH.prune4j_ria_scores(NULL, NULL, F32, 4, 4, NULL, 1, Double.NaN, NULL));
        rejects("exponent inf",
                () -> Prune4jH.prune4j_ria_scores(NULL, NULL, F32, 4, 4, NULL, 1, Double.POSITIVE_INFINITY, NULL));
        rejects("dtype code 9", () -> Prune4jH.prune4j_ria_scores(NULL, NULL, 9, 4, 4, NULL, 1, 0.5, NULL));
    }

    @Test
    void reductionsNeedTheirOutParameterAndZeroIt() {
        rejects("NULL sum", () -> Prune4jH.prune4j_score_sum(NULL, NULL, 4, NULL));
        rejects("NULL count", () -> Prune4jH.prune4j_count_above(NULL, NULL, 4, 0f, NULL));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sum = arena.allocate(Prune4jH.C_DOUBLE);
            sum.set(Prune4jH.C_DOUBLE, 0, 3.5);
            Prune4jH.prune4j_score_sum(NULL, NULL, 4, sum);
            assertEquals(0.0, sum.get(Prune4jH.C_DOUBLE, 0));
            MemorySegment count = arena.allocate(Prune4jH.C_LONG);
            count.set(Prune4jH.C_LONG, 0, 77L);
            Prune4jH.prune4j_count_above(NULL, NULL, 4, 0f, count);
            assertEquals(0L, count.get(Prune4jH.C_LONG, 0));
        }
    }

    @Test
    void hessianProductChecksItsShape() {
        rejects("D [-1, 4]", () -> Prune4jH.prune4j_hessian_product(NULL, NULL, -1, 4, NULL, NULL));
        rejects("D [4, 0]", () -> Prune4jH.prune4j_hessian_product(NULL, NULL, 4, 0, NULL, NULL));
    }

    @Test
    void maskSwapsCheckShapesGroupsAndOptionsFirst() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment swaps = arena.allocate(Prune4jH.C_LONG);
            rejects("W [4, 0]", () -> Prune4jH.prune4j_mask_swaps(NULL, NULL, NULL, NULL, NULL, 4, 0, NULL, 4, 10, 0, 0, swaps));
            rejects("W [-1, 8]", () -> Prune4jH.prune4j_mask_swaps(NULL, NULL, NULL, NULL, NULL, -1, 8, NULL, 4, 10, 0, 0, swaps));
            rejects("groups of 3 columns in rows of 8",
                    () -> Prune4jH.prune4j_mask_swaps(NULL, NULL, NULL, NULL, NULL, 4, 8, NULL, 3, 10, 0, 0, swaps));
            rejects("groups of 0 columns",
                    () -> Prune4jH.prune4j_mask_swaps(NULL, NULL, NULL, NULL, NULL, 4, 8, NULL, 0, 10, 0, 0, swaps));
            rejects("-1 swaps per row",
                    () -> Prune4jH.prune4j_mask_swaps(NULL, NULL, NULL, NULL, NULL, 4, 8, NULL, 4, -1, 0, 0, swaps));
            rejects("-2 candidates",
                    () -> Prune4jH.prune4j_mask_swaps(NULL, NULL, NULL, NULL, NULL, 4, 8, NULL, 8, 1, -2, 0, swaps));
            rejects("tolerance -1",
                    () -> Prune4jH.prune4j_mask_swaps(NULL, NULL, NULL, NULL, NULL, 4, 8, NULL, 8, 1, 0, -1, swaps));
            rejects("tolerance nan",
                    () -> Prune4jH.prune4j_mask_swaps(NULL, NULL, NULL, NULL, NULL, 4, 8, NULL, 8, 1, 0, Double.NaN, swaps));
            rejects("NULL swaps",
                    () -> Prune4jH.prune4j_mask_swaps(NULL, NULL, NULL, NULL, NULL, 4, 8, NULL, 8, 1, 0, 0, NULL));
            swaps.set(Prune4jH.C_LONG, 0, 77L);
            Prune4jH.prune4j_mask_swaps(NULL, NULL, NULL, NULL, NULL, 4, 8, NULL, 8, 1, 0, 0, swaps);
            assertEquals(0L, swaps.get(Prune4jH.C_LONG, 0), "swaps zeroed before the context check");
        }
    }
}
