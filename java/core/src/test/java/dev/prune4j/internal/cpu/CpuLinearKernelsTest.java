package dev.prune4j.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.testing.TwoFourWeights;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CPU GEMMs against a double-precision oracle, and 2:4 against dense on the same (masked)
 * weight, over random shapes: token counts on both sides of the decode and tile sizes, row lengths
 * that are not multiples of the vector width, with and without bias, every dtype.
 */
class CpuLinearKernelsTest {
    private static final DType[] TYPES = {DType.F16, DType.BF16, DType.F32};
    private static final int[] TOKENS = {1, 2, 3, 4, 5, 7, 16, 17, 65, 130};

    private static CpuEngine engine;
    private static List<CpuLinearKernels> kernels;

    @BeforeAll
    static void start() {
        engine = new CpuEngine(2);
        kernels = List.of((CpuLinearKernels) engine.linearKernels(), CpuLinearKernels.scalar(engine::parallelFor, 2));
    }

    /** One forward of a prepared layer, then its resources freed. */
    private static void run(LinearKernels.Prepared layer, Tensor x, Tensor y) {
        try (layer) {
            layer.forward(x, y);
        }
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    /** The exact result in double, and the sum of |products| that bounds F32 accumulation error. */
    private record Oracle(double[] y, double[] scale) {
        static Oracle of(Tensor x, Tensor w, Tensor bias) {
            int tokens = (int) x.rows();
            int in = (int) w.dim(1);
            int out = (int) w.dim(0);
            float[] xs = x.toFloatArray();
            float[] ws = w.toFloatArray();
            double[] y = new double[tokens * out];
            double[] scale = new double[tokens * out];
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < out; r++) {
                    double s = bias == null ? 0 : bias.getFloat(r);
                    double a = Math.abs(s);
                    for (int k = 0; k < in; k++) {
                        double p = (double) xs[t * in + k] * ws[r * in + k];
                        s += p;
                        a += Math.abs(p);
                    }
                    y[t * out + r] = s;
                    scale[t * out + r] = a;
                }
            }
            return new Oracle(y, scale);
        }

        void check(Tensor got, int in, String what) {
            // F32 accumulation over `in` products, then one rounding to the output dtype.
            double accumulation = (in + 2) * 0x1p-24;
            double rounding = switch (got.dtype()) {
                case F16 -> 0x1p-11;
                case BF16 -> 0x1p-8;
                default -> 0x1p-24;
            };
            for (int i = 0; i < y.length; i++) {
                double tol = accumulation * scale[i] + rounding * (Math.abs(y[i]) + accumulation * scale[i]) + 1e-30;
                double err = Math.abs(got.getFloat(i) - y[i]);
                if (got.dtype() == DType.F16 && Math.abs(y[i]) < 0x1p-14) {
                    tol += 0x1p-25; // F16 subnormal spacing
                }
                assertTrue(err <= tol, what + ": element " + i + " is " + got.getFloat(i) + ", expected " + y[i]
                        + " (error " + err + " > " + tol + ")");
            }
        }
    }

    @Test
    void sparse_and_dense_match_the_oracle_over_random_shapes_and_dtypes() {
        Random rnd = new Random(2024);
        for (int trial = 0; trial < 60; trial++) {
            DType wType = TYPES[trial % 3];
            DType xType = TYPES[(trial / 3) % 3];
            DType yType = rnd.nextBoolean() ? DType.F32 : xType;
            int tokens = TOKENS[rnd.nextInt(TOKENS.length)];
            int in = 4 * (1 + rnd.nextInt(trial < 30 ? 40 : 140));
            int out = 1 + rnd.nextInt(70);
            try (Arena arena = Arena.ofShared()) {
                Tensor w = TwoFourWeights.weight(arena, "layer.weight", wType, out, in, rnd);
                Tensor x = TwoFourWeights.activations(arena, xType, rnd, tokens, in);
                Tensor bias = TwoFourWeights.biasOrNull(arena, TYPES[rnd.nextInt(3)], out, rnd);
                Oracle oracle = Oracle.of(x, w, bias);
                Sparse24 s = Sparse24.compress(w, arena);
                for (CpuLinearKernels k : kernels) {
                    String what = k.description() + " W " + wType + " [" + out + ", " + in + "], X " + xType + " x"
                            + tokens + ", Y " + yType + (bias == null ? "" : ", bias " + bias.dtype());
                    Tensor ySparse = Tensor.allocate(arena, "y", yType, tokens, out);
                    run(k.prepareSparse24(s, bias), x, ySparse);
                    oracle.check(ySparse, in, "2:4 " + what);
                    Tensor yDense = Tensor.allocate(arena, "y", yType, tokens, out);
                    run(k.prepareDense(w, bias), x, yDense);
                    oracle.check(yDense, in, "dense " + what);
                }
            }
        }
    }

    @Test
    void long_rows_cross_the_staged_chunks_and_every_token_tiling() {
        // Rows longer than a staged 2:4 chunk (32 vector steps), with and without a tail, against
        // token counts that use the direct tiles (1-3), the staged ones (4+) and short last tiles.
        Random rnd = new Random(99);
        int[][] shapes = {{9, 1028}, {6, 2084}, {13, 1536}};
        int[] tokens = {1, 2, 3, 4, 5, 9, 17};
        for (int[] shape : shapes) {
            for (int trial = 0; trial < 3; trial++) {
                DType wType = TYPES[trial];
                int n = tokens[rnd.nextInt(tokens.length)];
                try (Arena arena = Arena.ofShared()) {
                    Tensor w = TwoFourWeights.weight(arena, "w", wType, shape[0], shape[1], rnd);
                    Tensor x = TwoFourWeights.activations(arena, TYPES[rnd.nextInt(3)], rnd, n, shape[1]);
                    Tensor bias = TwoFourWeights.biasOrNull(arena, DType.F32, shape[0], rnd);
                    Oracle oracle = Oracle.of(x, w, bias);
                    Sparse24 s = Sparse24.compress(w, arena);
                    for (CpuLinearKernels k : kernels) {
                        String what = k.description() + " " + wType + " " + shape[0] + "x" + shape[1] + " x" + n;
                        Tensor y = Tensor.allocate(arena, "y", DType.F32, n, shape[0]);
                        run(k.prepareSparse24(s, bias), x, y);
                        oracle.check(y, shape[1], "2:4 " + what);
                        run(k.prepareDense(w, bias), x, y);
                        oracle.check(y, shape[1], "dense " + what);
                    }
                }
            }
        }
    }

    @Test
    void two_four_with_many_tokens_takes_them_in_the_vector_lanes() {
        // From two blocks of lanes on (32 tokens with AVX-512), 2:4 runs with the tokens in the
        // lanes: counts on both sides of that, whole pairs of blocks, an odd block and a short last
        // block; rows that leave a short tile of 8 and a task range that is not a whole number of
        // tiles; inputs across the staged chunks (256) and with a tail past the last whole step
        // (not a multiple of 32).
        Random rnd = new Random(16);
        int[][] shapes = {{8, 64}, {13, 100}, {100, 72}, {21, 1028}, {3, 548}};
        int[] tokens = {16, 17, 31, 32, 33, 48, 200};
        for (int[] shape : shapes) {
            for (DType wType : TYPES) {
                int n = tokens[rnd.nextInt(tokens.length)];
                try (Arena arena = Arena.ofShared()) {
                    Tensor w = TwoFourWeights.weight(arena, "w", wType, shape[0], shape[1], rnd);
                    Tensor x = TwoFourWeights.activations(arena, TYPES[rnd.nextInt(3)], rnd, n, shape[1]);
                    Tensor bias = TwoFourWeights.biasOrNull(arena, DType.F32, shape[0], rnd);
                    Oracle oracle = Oracle.of(x, w, bias);
                    Sparse24 s = Sparse24.compress(w, arena);
                    for (CpuLinearKernels k : kernels) {
                        Tensor y = Tensor.allocate(arena, "y", DType.F32, n, shape[0]);
                        run(k.prepareSparse24(s, bias), x, y);
                        oracle.check(y, shape[1], "2:4 " + k.description() + " " + wType + " " + shape[0] + "x"
                                + shape[1] + " x" + n);
                    }
                }
            }
        }
    }

    @Test
    void one_token_reads_each_row_range_as_four_streams() {
        // At one token the vector kernels cut each task's rows into four parts read side by side,
        // and take the rows left over one by one: ranges with parts of one row and of several, a
        // weight large enough to be split over the threads (300 rows), short and long rows (a 7B
        // model's 4096 and more), whole vector steps and tails, every dtype, dense and 2:4.
        Random rnd = new Random(7);
        for (DType wType : TYPES) {
            for (int in : new int[] {4, 60, 576, 1028, 4096, 4100, 11008}) {
                for (int rows : new int[] {7, 37, 300}) {
                    try (Arena arena = Arena.ofShared()) {
                        Tensor w = TwoFourWeights.weight(arena, "w", wType, rows, in, rnd);
                        Tensor x = TwoFourWeights.activations(arena, TYPES[rnd.nextInt(3)], rnd, 1, in);
                        Tensor bias = TwoFourWeights.biasOrNull(arena, DType.F32, rows, rnd);
                        Oracle oracle = Oracle.of(x, w, bias);
                        Sparse24 s = Sparse24.compress(w, arena);
                        for (CpuLinearKernels k : kernels) {
                            String what = k.description() + " " + wType + " " + rows + "x" + in + " x1";
                            Tensor y = Tensor.allocate(arena, "y", DType.F32, 1, rows);
                            run(k.prepareSparse24(s, bias), x, y);
                            oracle.check(y, in, "2:4 " + what);
                            run(k.prepareDense(w, bias), x, y);
                            oracle.check(y, in, "dense " + what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void many_tokens_run_in_blocks_of_activations() {
        // 1100 tokens of 1536 F32 inputs are 6.4 MB: more than one block of X_BLOCK_BYTES.
        int tokens = 1100;
        int in = 1536;
        assertTrue((long) tokens * in * 4 > CpuLinearKernels.X_BLOCK_BYTES);
        Random rnd = new Random(3);
        try (Arena arena = Arena.ofShared()) {
            Tensor w = TwoFourWeights.weight(arena, "w", DType.BF16, 6, in, rnd);
            Tensor x = TwoFourWeights.activations(arena, DType.BF16, rnd, tokens, in);
            Tensor bias = TwoFourWeights.biasOrNull(arena, DType.F32, 6, new Random(1));
            Oracle oracle = Oracle.of(x, w, bias);
            CpuLinearKernels k = kernels.get(0);
            Tensor y = Tensor.allocate(arena, "y", DType.BF16, tokens, 6);
            run(k.prepareDense(w, bias), x, y);
            oracle.check(y, in, "dense");
            run(k.prepareSparse24(Sparse24.compress(w, arena), bias), x, y);
            oracle.check(y, in, "2:4");
        }
    }

    @Test
    void f16_inf_and_nan_weights_and_huge_activations_stay_exact_in_the_vector_lanes() {
        // in = 96: whole vector steps, so Inf and NaN sit in vector lanes, not in a scalar tail.
        int in = 96;
        Random rnd = new Random(5);
        try (Arena arena = Arena.ofShared()) {
            Tensor w = TwoFourWeights.weight(arena, "w", DType.F16, 8, in, rnd);
            Tensor special = TwoFourWeights.weight(arena, "w", DType.F16, 8, in, rnd);
            for (int r = 0; r < 8; r++) {
                // Position 0 of group 3 kept, position 1 zeroed: the group stays 2:4.
                special.setFloat((long) r * in + 12, r % 2 == 0 ? Float.POSITIVE_INFINITY : Float.NaN);
                special.setFloat((long) r * in + 13, 0f);
            }
            for (int tokens : new int[] {1, 2, 5}) {
                Tensor x = TwoFourWeights.activations(arena, DType.F32, rnd, tokens, in);
                Tensor huge = x.copy(arena);
                huge.setFloat(3, 1e6f); // past the 2^16 bound of the scaled F16 kernels
                for (CpuLinearKernels k : kernels) {
                    for (Tensor xs : new Tensor[] {x, huge}) {
                        Tensor y = Tensor.allocate(arena, "y", DType.F32, tokens, 8);
                        run(k.prepareDense(w, null), xs, y);
                        Oracle.of(xs, w, null).check(y, in, k.description() + " dense x" + tokens);
                        run(k.prepareSparse24(Sparse24.compress(w, arena), null), xs, y);
                        Oracle.of(xs, w, null).check(y, in, k.description() + " 2:4 x" + tokens);
                    }
                    Tensor y = Tensor.allocate(arena, "y", DType.F32, tokens, 8);
                    Tensor ySparse = Tensor.allocate(arena, "y", DType.F32, tokens, 8);
                    run(k.prepareDense(special, null), x, y);
                    run(k.prepareSparse24(Sparse24.compress(special, arena), null), x, ySparse);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < 8; r++) {
                            float xt = x.getFloat((long) t * in + 12);
                            float expected = r % 2 == 0 ? (xt > 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY)
                                    : Float.NaN;
                            String at = k.description() + " x" + tokens + " [" + t + ", " + r + "]";
                            assertEquals(expected, y.getFloat((long) t * 8 + r), 0, "dense " + at);
                            assertEquals(expected, ySparse.getFloat((long) t * 8 + r), 0, "2:4 " + at);
                        }
                    }
                }
            }
        }
    }

    @Test
    void sparse_equals_dense_on_the_decompressed_weight_within_f32_accumulation() {
        Random rnd = new Random(7);
        CpuLinearKernels k = kernels.get(0);
        for (DType dtype : TYPES) {
            for (int tokens : new int[] {1, 3, 16, 33}) {
                int in = 4 * (1 + rnd.nextInt(300));
                int out = 1 + rnd.nextInt(40);
                try (Arena arena = Arena.ofShared()) {
                    Sparse24 s = Sparse24.compress(TwoFourWeights.weight(arena, "w", dtype, out, in, rnd), arena);
                    Tensor masked = s.decompress(arena);
                    Tensor x = TwoFourWeights.activations(arena, dtype, rnd, tokens, in);
                    Tensor bias = TwoFourWeights.biasOrNull(arena, dtype, out, rnd);
                    Tensor ySparse = Tensor.allocate(arena, "y", DType.F32, tokens, out);
                    Tensor yDense = Tensor.allocate(arena, "y", DType.F32, tokens, out);
                    run(k.prepareSparse24(s, bias), x, ySparse);
                    run(k.prepareDense(masked, bias), x, yDense);
                    Oracle oracle = Oracle.of(x, masked, bias);
                    for (int i = 0; i < tokens * out; i++) {
                        double tol = 2 * (in + 2) * 0x1p-24 * oracle.scale()[i];
                        assertEquals(yDense.getFloat(i), ySparse.getFloat(i), tol,
                                dtype + " " + tokens + "x" + in + " -> " + out + ", element " + i);
                    }
                }
            }
        }
    }

    @Test
    void f16_subnormal_extreme_and_infinite_weights_are_widened_exactly() {
        // One-hot tokens read the weights back one by one: y[t, r] = w[r, t].
        int in = 64;
        float[] special = {0x1p-24f, -0x1p-24f, 0x1.ff8p-15f, 0x1p-14f, 65504f, -65504f, 0x1.004p-10f, 3.0f};
        try (Arena arena = Arena.ofShared()) {
            Tensor w = Tensor.allocate(arena, "w", DType.F16, 2, in);
            for (int k = 0; k < in; k += 4) {
                w.setFloat(k, special[(k / 4) % special.length]);
                w.setFloat(in + k + 1, -special[(k / 4 + 3) % special.length]);
            }
            Tensor eye = Tensor.allocate(arena, "x", DType.F32, in, in);
            for (int t = 0; t < in; t++) {
                eye.setFloat((long) t * in + t, 1);
            }
            for (CpuLinearKernels k : kernels) {
                Tensor yDense = Tensor.allocate(arena, "y", DType.F32, in, 2);
                Tensor ySparse = Tensor.allocate(arena, "y", DType.F32, in, 2);
                run(k.prepareDense(w, null), eye, yDense);
                run(k.prepareSparse24(Sparse24.compress(w, arena), null), eye, ySparse);
                for (int t = 0; t < in; t++) {
                    for (int r = 0; r < 2; r++) {
                        float expected = w.getFloat((long) r * in + t);
                        assertEquals(expected, yDense.getFloat(2L * t + r), 0, k.description() + " dense w[" + r + ", " + t + "]");
                        assertEquals(expected, ySparse.getFloat(2L * t + r), 0, k.description() + " 2:4 w[" + r + ", " + t + "]");
                    }
                }
            }
            // Infinities and NaN propagate as in IEEE arithmetic.
            Tensor inf = Tensor.ofFloats(arena, "inf", DType.F16, new float[] {
                Float.POSITIVE_INFINITY, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, Float.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 2, 16);
            Tensor ones = Tensor.ofFloats(arena, "x", DType.F32, new float[16], 1, 16);
            for (int i = 0; i < 16; i++) {
                ones.setFloat(i, 1);
            }
            for (CpuLinearKernels k : kernels) {
                Tensor y = Tensor.allocate(arena, "y", DType.F32, 1, 2);
                run(k.prepareDense(inf, null), ones, y);
                assertEquals(Float.POSITIVE_INFINITY, y.getFloat(0));
                assertTrue(Float.isNaN(y.getFloat(1)));
                run(k.prepareSparse24(Sparse24.compress(inf, arena), null), ones, y);
                assertEquals(Float.POSITIVE_INFINITY, y.getFloat(0));
                assertTrue(Float.isNaN(y.getFloat(1)));
            }
        }
    }

    @Test
    void results_do_not_depend_on_the_thread_count() {
        Random rnd = new Random(11);
        try (Arena arena = Arena.ofShared(); CpuEngine one = new CpuEngine(1)) {
            Sparse24 s = Sparse24.compress(TwoFourWeights.weight(arena, "w", DType.BF16, 100, 72, rnd), arena);
            // 9 tokens: the staged tiles; 40: the tokens in the lanes.
            for (int tokens : new int[] {9, 40}) {
                Tensor x = TwoFourWeights.activations(arena, DType.BF16, rnd, tokens, 72);
                Tensor a = Tensor.allocate(arena, "a", DType.F32, tokens, 100);
                Tensor b = Tensor.allocate(arena, "b", DType.F32, tokens, 100);
                run(one.linearKernels().prepareSparse24(s, null), x, a);
                run(kernels.get(0).prepareSparse24(s, null), x, b);
                assertArrayEquals(a.data().toArray(ValueLayout.JAVA_BYTE), b.data().toArray(ValueLayout.JAVA_BYTE),
                        tokens + " tokens");
            }
        }
    }

    @Test
    void tensors_of_a_confined_arena_are_computed_on_the_callers_thread() {
        Random rnd = new Random(12);
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = TwoFourWeights.weight(arena, "w", DType.F16, 70, 40, rnd);
            Tensor x = TwoFourWeights.activations(arena, DType.F16, rnd, 2, 40);
            Tensor y = Tensor.allocate(arena, "y", DType.F32, 2, 70);
            run(kernels.get(0).prepareSparse24(Sparse24.compress(w, arena), null), x, y);
            Oracle.of(x, w, null).check(y, 40, "confined");
        }
    }

    @Test
    void leading_dimensions_of_x_and_y_may_be_any_shape() {
        Random rnd = new Random(13);
        try (Arena arena = Arena.ofShared()) {
            Tensor w = TwoFourWeights.weight(arena, "w", DType.F32, 5, 16, rnd);
            Tensor x = TwoFourWeights.activations(arena, DType.F32, rnd, 2, 3, 16);
            Tensor y = Tensor.allocate(arena, "y", DType.F32, 2, 3, 5);
            run(kernels.get(0).prepareSparse24(Sparse24.compress(w, arena), null), x, y);
            Oracle.of(x, w, null).check(y, 16, "3-D");
        }
    }

    @Test
    void the_cpu_engine_supplies_the_cpu_kernels() {
        assertTrue(engine.linearKernels() instanceof CpuLinearKernels);
        assertTrue(engine.linearKernels().description().startsWith("cpu"));
    }
}
