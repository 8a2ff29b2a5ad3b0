package dev.prune4j.internal.cpu;

import static dev.prune4j.internal.tensor.LittleEndian.F32;

import java.lang.foreign.MemorySegment;

/** The plain-Java matrix kernel, used when the Vector API is not available. */
final class ScalarMatMulKernel implements MatMulKernel {
    private static final int MR = 4;
    private static final int NR = 16;

    @Override
    public int rowsPerTile() {
        return MR;
    }

    @Override
    public int colsPerTile() {
        return NR;
    }

    @Override
    public void tile(int kc, float[] a, int aAt, float[] b, int bAt, float alpha,
                     MemorySegment c, long cAt, int ldc, int rows, int cols) {
        float[] acc = new float[MR * NR];
        for (int p = 0; p < kc; p++) {
            int ai = aAt + p * MR;
            int bi = bAt + p * NR;
            for (int i = 0; i < MR; i++) {
                float av = a[ai + i];
                for (int j = 0; j < NR; j++) {
                    acc[i * NR + j] += av * b[bi + j];
                }
            }
        }
        for (int i = 0; i < rows; i++) {
            long row = cAt + (long) i * ldc;
            for (int j = 0; j < cols; j++) {
                c.setAtIndex(F32, row + j, c.getAtIndex(F32, row + j) + alpha * acc[i * NR + j]);
            }
        }
    }

    @Override
    public void subtractOuter(float[] y, int yAt, int yStride, int count, float[] x, int xAt, float[] s, int sAt, int n) {
        for (int c = 0; c < count; c++) {
            float sc = s[sAt + c];
            int at = yAt + c * yStride;
            for (int r = 0; r < n; r++) {
                y[at + r] -= x[xAt + r] * sc;
            }
        }
    }

    @Override
    public String description() {
        return "scalar";
    }
}
