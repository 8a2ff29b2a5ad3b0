package dev.prune4j.sparse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.testing.TwoFourWeights;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The canonical 2:4 layout: worked examples, the rules for sparse groups, errors and round trips. */
class Sparse24Test {

    private static int metaByte(Sparse24 s, int row, int index) {
        return s.meta().data().get(ValueLayout.JAVA_BYTE, (long) row * Sparse24.metaBytesPerRow(s.cols()) + index) & 0xFF;
    }

    @Test
    void worked_example_from_the_layout_documentation() {
        try (Arena arena = Arena.ofConfined()) {
            // group 0 keeps positions 1 and 3: nibble 1 | 3 << 2 = 0xD;
            // group 1 has one non-zero at 0, topped up with position 1: nibble 0 | 1 << 2 = 0x4.
            Tensor w = Tensor.ofFloats(arena, "w", DType.F16, new float[] {0, 1.5f, 0, -2, 3, 0, 0, 0}, 1, 8);
            Sparse24 s = Sparse24.compress(w, arena);
            assertArrayEquals(new long[] {1, 4}, s.values().shape());
            assertArrayEquals(new float[] {1.5f, -2, 3, 0}, s.values().toFloatArray());
            assertArrayEquals(new long[] {1, 1}, s.meta().shape());
            assertEquals(0xD | 0x4 << 4, metaByte(s, 0, 0));
            assertEquals(0xD, s.nibble(0, 0));
            assertEquals(0x4, s.nibble(0, 1));
        }
    }

    @Test
    void odd_group_count_ends_the_row_with_the_padding_nibble() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.ofFloats(arena, "w", DType.BF16, new float[] {
                0, 0, 5, 0, 1, 2, 0, 0, 0, 0, 0, 7,
                0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 8}, 2, 12);
            Sparse24 s = Sparse24.compress(w, arena);
            assertArrayEquals(new long[] {2, 2}, s.meta().shape());
            assertEquals(0x8 | 0x4 << 4, metaByte(s, 0, 0));                       // (0,2) then (0,1)
            assertEquals(0xC | Sparse24.ZERO_GROUP_NIBBLE << 4, metaByte(s, 0, 1)); // (0,3) then padding
            assertEquals(0x4 | 0x4 << 4, metaByte(s, 1, 0));
            assertEquals(0xC | Sparse24.ZERO_GROUP_NIBBLE << 4, metaByte(s, 1, 1));
            assertArrayEquals(new float[] {0, 5, 1, 2, 0, 7, 0, 0, 0, 0, 4, 8}, s.values().toFloatArray());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16", "F32"})
    void negative_zero_counts_as_zero_and_is_stored_as_plus_zero(DType dtype) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.ofFloats(arena, "w", dtype, new float[] {-0f, 1, -0f, 2, -0f, -0f, -0f, -0f}, 1, 8);
            assertTrue(Sparse24.isValid(w));
            Sparse24 s = Sparse24.compress(w, arena);
            assertEquals(0x1 | 0x3 << 2, s.nibble(0, 0));
            assertEquals(0x4, s.nibble(0, 1));
            for (long i = 0; i < s.values().numel(); i++) {
                float v = s.values().getFloat(i);
                assertFalse(v == 0 && 1 / v < 0, "a -0.0 was stored at " + i);
            }
        }
    }

    @Test
    void three_non_zeros_in_a_group_are_rejected_naming_tensor_row_and_group() {
        try (Arena arena = Arena.ofConfined()) {
            float[] v = new float[3 * 8];
            v[2 * 8 + 4] = 1;
            v[2 * 8 + 5] = 1;
            v[2 * 8 + 7] = 1;
            Tensor w = Tensor.ofFloats(arena, "model.layers.0.mlp.up_proj.weight", DType.F16, v, 3, 8);
            byte[] before = w.data().toArray(ValueLayout.JAVA_BYTE);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sparse24.compress(w, arena));
            assertTrue(e.getMessage().contains("'model.layers.0.mlp.up_proj.weight'"), e.getMessage());
            assertTrue(e.getMessage().contains("row 2, group 1"), e.getMessage());
            assertTrue(e.getMessage().contains("3 non-zeros"), e.getMessage());
            assertFalse(Sparse24.isValid(w));
            assertArrayEquals(before, w.data().toArray(ValueLayout.JAVA_BYTE), "input modified");
        }
    }

    @Test
    void rows_that_are_not_whole_groups_are_rejected_naming_the_shape() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = Tensor.allocate(arena, "w", DType.F16, 2, 6);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sparse24.compress(w, arena));
            assertTrue(e.getMessage().contains("'w' [2, 6]"), e.getMessage());
            assertTrue(e.getMessage().contains("not a multiple of 4"), e.getMessage());
            Tensor threeD = Tensor.allocate(arena, "t", DType.F16, 2, 2, 4);
            assertThrows(IllegalArgumentException.class, () -> Sparse24.compress(threeD, arena));
            Tensor ints = Tensor.allocate(arena, "i", DType.I32, 2, 4);
            assertThrows(IllegalArgumentException.class, () -> Sparse24.compress(ints, arena));
        }
    }

    @Test
    void a_bad_metadata_nibble_is_rejected_when_wrapping_values_and_metadata() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor values = Tensor.allocate(arena, "v", DType.F16, 2, 4);
            Tensor meta = Tensor.allocate(arena, "m", DType.U8, 2, 1);
            meta.data().set(ValueLayout.JAVA_BYTE, 0, (byte) 0x44);
            meta.data().set(ValueLayout.JAVA_BYTE, 1, (byte) 0x74); // group 1 of row 1: (3,1) is not increasing
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Sparse24("w", 2, 8, values, meta));
            assertTrue(e.getMessage().contains("row 1, group 1"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new Sparse24("w", 2, 16, values, meta));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F16", "BF16", "F32"})
    void round_trips_over_random_shapes(DType dtype) {
        Random rnd = new Random(24 + dtype.ordinal());
        for (int trial = 0; trial < 40; trial++) {
            int rows = 1 + rnd.nextInt(9);
            int cols = 4 * (1 + rnd.nextInt(40));
            try (Arena arena = Arena.ofConfined()) {
                Tensor w = TwoFourWeights.weight(arena, "w", dtype, rows, cols, rnd);
                byte[] before = w.data().toArray(ValueLayout.JAVA_BYTE);
                Sparse24 s = Sparse24.compress(w, arena);
                assertArrayEquals(before, w.data().toArray(ValueLayout.JAVA_BYTE), "input modified");
                Tensor back = s.decompress(arena);
                assertArrayEquals(w.shape(), back.shape());
                for (long i = 0; i < w.numel(); i++) {
                    // == treats -0.0 and +0.0 as equal: the only difference a round trip may make.
                    assertTrue(w.getFloat(i) == back.getFloat(i), "element " + i + " of " + rows + "x" + cols);
                }
                for (int r = 0; r < rows; r++) {
                    for (int g = 0; g < cols / 4; g++) {
                        assertTrue(Sparse24.validNibble(s.nibble(r, g)));
                    }
                }
                // Canonical: compressing the decompressed weight gives the same bytes.
                Sparse24 again = Sparse24.compress(back, arena);
                assertArrayEquals(s.values().data().toArray(ValueLayout.JAVA_BYTE),
                        again.values().data().toArray(ValueLayout.JAVA_BYTE));
                assertArrayEquals(s.meta().data().toArray(ValueLayout.JAVA_BYTE),
                        again.meta().data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void compressed_bytes_are_nine_sixteenths_of_a_16_bit_weight() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = TwoFourWeights.weight(arena, "w", DType.F16, 16, 64, new Random(3));
            assertEquals(w.byteSize() * 9 / 16, Sparse24.compress(w, arena).byteSize());
        }
    }
}
