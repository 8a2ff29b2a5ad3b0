package dev.prune4j.engine.cpu;

import static dev.prune4j.engine.cpu.Rows.F32;

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
     * row stride {@code lda}) in panels of {@code width} rows; reuses {@code into} when it is large
     * enough (its padding is cleared).
     */
    static float[] packRows(MemorySegment a, long at, int lda, int rows, int kc, int width, float[] into) {
        int size = size(kc, rows, width);
        float[] packed = into != null && into.length >= size ? into : new float[size];
        float[] row = new float[kc];
        int padded = size / kc;
        for (int i = 0; i < padded; i++) {
            int base = (i / width) * kc * width + i % width;
            if (i < rows) {
                MemorySegment.copy(a, F32, (at + (long) i * lda) * 4, row, 0, kc);
                for (int p = 0; p < kc; p++) {
                    packed[base + p * width] = row[p];
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    packed[base + p * width] = 0f;
                }
            }
        }
        return packed;
    }

    /** Packs a row-major {@code B [kc x cols]} (element (0, 0) at element {@code at}, row stride {@code ldb}). */
    static float[] packColumns(MemorySegment b, long at, int ldb, int kc, int cols, int width) {
        float[] packed = new float[size(kc, cols, width)];
        for (int p = 0; p < kc; p++) {
            long rowAt = (at + (long) p * ldb) * 4;
            for (int c0 = 0; c0 < cols; c0 += width) {
                MemorySegment.copy(b, F32, rowAt + (long) c0 * 4, packed, (c0 * kc + p * width), Math.min(width, cols - c0));
            }
        }
        return packed;
    }

    /** Writes row {@code p} of a {@code [kc x n]} operand, held in {@code row}, into its panels. */
    static void scatterRow(float[] row, int n, int p, int kc, int width, float[] packed) {
        for (int c0 = 0; c0 < n; c0 += width) {
            System.arraycopy(row, c0, packed, c0 * kc + p * width, Math.min(width, n - c0));
        }
    }
}
