package dev.prune4j.internal.cpu;

import static dev.prune4j.internal.tensor.LittleEndian.F32;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix kernel on the (incubating) Vector API. Only {@link MatMul} loads this class, and only
 * after checking that {@code jdk.incubator.vector} is present, so the rest of the engine loads
 * without it.
 *
 * <p>Register tile: 8 rows x 2 vectors (8 x 32 floats with AVX-512), sixteen accumulators held
 * across the whole k block; per k step two vector loads of B, eight broadcasts of A and sixteen
 * FMAs, so the FMA units, not the loads, set the pace. Indices are linear in the loop counter with
 * constant strides, so C2 hoists the array range checks out of the loop.
 */
final class VectorMatMulKernel implements MatMulKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    private static final int NR = 2 * V;
    private static final int MR = 8;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Per-thread spill area for one tile of accumulators. */
    private static final ThreadLocal<float[]> OUT = ThreadLocal.withInitial(() -> new float[MR * NR]);

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
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int ai = aAt + p * MR;
            int bi = bAt + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + V);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = b0.fma(x, c40);
            c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = b0.fma(x, c50);
            c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = b0.fma(x, c60);
            c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = b0.fma(x, c70);
            c71 = b1.fma(x, c71);
        }
        // Spill the accumulators (C2 keeps vectors in registers only while no array of them
        // exists), then add them to C row by row.
        float[] out = OUT.get();
        c00.intoArray(out, 0);
        c01.intoArray(out, V);
        c10.intoArray(out, 2 * V);
        c11.intoArray(out, 3 * V);
        c20.intoArray(out, 4 * V);
        c21.intoArray(out, 5 * V);
        c30.intoArray(out, 6 * V);
        c31.intoArray(out, 7 * V);
        c40.intoArray(out, 8 * V);
        c41.intoArray(out, 9 * V);
        c50.intoArray(out, 10 * V);
        c51.intoArray(out, 11 * V);
        c60.intoArray(out, 12 * V);
        c61.intoArray(out, 13 * V);
        c70.intoArray(out, 14 * V);
        c71.intoArray(out, 15 * V);
        FloatVector scale = FloatVector.broadcast(S, alpha);
        for (int i = 0; i < rows; i++) {
            long row = cAt + (long) i * ldc;
            if (cols == NR) {
                for (int v = 0; v < NR; v += V) {
                    long bytes = (row + v) * 4;
                    FloatVector.fromArray(S, out, i * NR + v).fma(scale, FloatVector.fromMemorySegment(S, c, bytes, LE))
                            .intoMemorySegment(c, bytes, LE);
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    c.setAtIndex(F32, row + j, c.getAtIndex(F32, row + j) + alpha * out[i * NR + j]);
                }
            }
        }
    }

    @Override
    public void subtractOuter(float[] y, int yAt, int yStride, int count, float[] x, int xAt, float[] s, int sAt, int n) {
        int whole = n - n % V;
        for (int c = 0; c < count; c++) {
            float sc = s[sAt + c];
            int at = yAt + c * yStride;
            int r = 0;
            for (; r < whole; r += V) {
                FloatVector.fromArray(S, y, at + r).sub(FloatVector.fromArray(S, x, xAt + r).mul(sc)).intoArray(y, at + r);
            }
            for (; r < n; r++) {
                y[at + r] -= x[xAt + r] * sc;
            }
        }
    }

    @Override
    public String description() {
        return "Vector API, " + S.vectorBitSize() + "-bit";
    }
}
