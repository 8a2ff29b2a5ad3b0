package dev.prune4j.internal.cpu;

import static dev.prune4j.internal.tensor.LittleEndian.F32;

import java.lang.foreign.MemorySegment;

/**
 * The packed operand layout of {@link MatMul}: a {@code [k x n]} operand becomes panels of
 * {@code width} columns, each panel {@code k} rows of {@code width} contiguous floats:
 * {@code packed[(q * k + p) * width + j] = op[p][q * width + j]}, zero past the last column.
 * The B operand is packed with the tile width NR, the A operand (as {@code A^T}) with the tile
 * height MR, so the kernel reads both in the order it uses them, with int indices on heap arrays.
 */
final class Panels {
    private Panels() {}

    /** Floats needed for {@code cols} columns of {@code k} rows in panels of {@code width}. */
    static int size(int k, int cols, int width) {
        return Math.multiplyExact((cols + width - 1) / width * width, k);
    }

    /**
     * Packs {@code A^T} for a row-major {@code A [rows x kc]} (element (0, 0) at element {@code at},
     * row stride {@code lda}) in panels of {@code width} rows, into {@code packed} from index
     * {@code to}; the padding rows of the last panel are written as zeros.
     */
    static void packRows(MemorySegment a, long at, int lda, int rows, int kc, int width, float[] packed, int to) {
        float[] group = new float[width * kc];
        for (int i0 = 0; i0 < rows; i0 += width) {
            int h = Math.min(width, rows - i0);
            for (int i = 0; i < h; i++) {
                MemorySegment.copy(a, F32, (at + (long) (i0 + i) * lda) * 4, group, i * kc, kc);
            }
            if (h < width) {
                java.util.Arrays.fill(group, h * kc, width * kc, 0f);
            }
            // Contiguous writes; the reads stride over a few rows that sit in L1.
            int base = to + i0 * kc;
            for (int p = 0; p < kc; p++) {
                for (int i = 0; i < width; i++) {
                    packed[base + p * width + i] = group[i * kc + p];
                }
            }
        }
    }

    /** As {@link #packRows(MemorySegment, long, int, int, int, int, float[], int)}, into a new array. */
    static float[] packRows(MemorySegment a, long at, int lda, int rows, int kc, int width) {
        float[] packed = new float[size(kc, rows, width)];
        packRows(a, at, lda, rows, kc, width, packed, 0);
        return packed;
    }

    /**
     * Packs a row-major {@code B [kc x cols]} (element (0, 0) at element {@code at}, row stride
     * {@code ldb}) into {@code packed} from index {@code to}, which must hold zeros past the last column.
     */
    static void packColumns(MemorySegment b, long at, int ldb, int kc, int cols, int width, float[] packed, int to) {
        for (int p = 0; p < kc; p++) {
            long rowAt = (at + (long) p * ldb) * 4;
            for (int c0 = 0; c0 < cols; c0 += width) {
                MemorySegment.copy(b, F32, rowAt + (long) c0 * 4, packed, to + c0 * kc + p * width, Math.min(width, cols - c0));
            }
        }
    }

    /** As {@link #packColumns(MemorySegment, long, int, int, int, int, float[], int)}, into a new array. */
    static float[] packColumns(MemorySegment b, long at, int ldb, int kc, int cols, int width) {
        float[] packed = new float[size(kc, cols, width)];
        packColumns(b, at, ldb, kc, cols, width, packed, 0);
        return packed;
    }

    /** Writes row {@code p} of a {@code [kc x n]} operand, held in {@code row}, into its panels. */
    static void scatterRow(float[] row, int n, int p, int kc, int width, float[] packed) {
        for (int c0 = 0; c0 < n; c0 += width) {
            System.arraycopy(row, c0, packed, c0 * kc + p * width, Math.min(width, n - c0));
        }
    }
}
