package dev.prune4j.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix kernel on the (incubating) Vector API. Only {@link MatMul} loads this class, and only
 * after checking that {@code jdk.incubator.vector} is present, so the rest of the engine loads
 * without it.
 *
 * <p>Each call packs its block of A (groups of 4 rows, interleaved per k) and of B (tiles of two
 * vectors' width, contiguous per k) into per-thread heap arrays, zero-padded to whole groups and
 * tiles, so the inner loop reads arrays with int indices (cheap bounds checks) in the order it uses
 * them. Register blocking: 4 rows x 2 vectors, eight accumulators kept across the whole k loop.
 */
final class VectorMatMulKernel implements MatMulKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    private static final int NR = 2 * V;
    private static final int MR = 4;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    /** Per-thread packing buffers: [0] A, [1] B, [2] one row, [3] one tile of results. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][0]);

    private static float[] scratch(int which, int size) {
        float[][] s = SCRATCH.get();
        if (s[which].length < size) {
            s[which] = new float[size];
        }
        return s[which];
    }

    @Override
    public void block(float alpha, int k0, int kc, int r0, int r1, int c0, int c1,
                      MemorySegment a, long aOff, int lda,
                      MemorySegment b, long bOff, int ldb,
                      MemorySegment c, long cOff, int ldc) {
        int groups = (r1 - r0 + MR - 1) / MR;
        int tiles = (c1 - c0 + NR - 1) / NR;
        float[] ap = scratch(0, groups * kc * MR);
        float[] bp = scratch(1, tiles * kc * NR);
        float[] row = scratch(2, Math.max(kc, c1 - c0));
        float[] out = scratch(3, NR);
        // A: ap[(g * kc + p) * MR + i] = A[r0 + g*MR + i][k0 + p], zero past r1.
        for (int g = 0; g < groups; g++) {
            for (int i = 0; i < MR; i++) {
                int r = r0 + g * MR + i;
                int base = g * kc * MR + i;
                if (r < r1) {
                    MemorySegment.copy(a, F32, (aOff + (long) r * lda + k0) * 4, row, 0, kc);
                    for (int p = 0; p < kc; p++) {
                        ap[base + p * MR] = row[p];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        ap[base + p * MR] = 0f;
                    }
                }
            }
        }
        // B: bp[(t * kc + p) * NR + j] = B[k0 + p][c0 + t*NR + j], zero past c1.
        int width = c1 - c0;
        for (int p = 0; p < kc; p++) {
            MemorySegment.copy(b, F32, (bOff + (long) (k0 + p) * ldb + c0) * 4, row, 0, width);
            for (int t = 0; t < tiles; t++) {
                int dst = (t * kc + p) * NR;
                int src = t * NR;
                int n = Math.min(NR, width - src);
                System.arraycopy(row, src, bp, dst, n);
                for (int j = n; j < NR; j++) {
                    bp[dst + j] = 0f;
                }
            }
        }
        for (int t = 0; t < tiles; t++) {
            int col = c0 + t * NR;
            int cols = Math.min(NR, c1 - col);
            for (int g = 0; g < groups; g++) {
                int rows = Math.min(MR, r1 - (r0 + g * MR));
                micro(alpha, kc, ap, g * kc * MR, bp, t * kc * NR, c, cOff + (long) (r0 + g * MR) * ldc + col, ldc,
                        rows, cols, out);
            }
        }
    }

    /** C[0:rows, 0:cols] (at {@code cAt}, row stride {@code ldc}) += alpha * (A group) x (B tile). */
    private static void micro(float alpha, int kc, float[] ap, int aBase, float[] bp, int bBase,
                              MemorySegment c, long cAt, int ldc, int rows, int cols, float[] out) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            // Indices linear in p, so the JIT can hoist the array range checks out of the loop.
            int ai = aBase + p * MR;
            int bi = bBase + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + V);
            FloatVector x0 = FloatVector.broadcast(S, ap[ai]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
        }
        store(c, cAt, alpha, c00, c01, cols, out);
        if (rows > 1) {
            store(c, cAt + ldc, alpha, c10, c11, cols, out);
        }
        if (rows > 2) {
            store(c, cAt + 2L * ldc, alpha, c20, c21, cols, out);
        }
        if (rows > 3) {
            store(c, cAt + 3L * ldc, alpha, c30, c31, cols, out);
        }
    }

    private static void store(MemorySegment c, long at, float alpha, FloatVector v0, FloatVector v1, int cols, float[] out) {
        long bytes = at * 4;
        if (cols == NR) {
            long vBytes = (long) V * 4;
            FloatVector.fromMemorySegment(S, c, bytes, LE).add(v0.mul(alpha)).intoMemorySegment(c, bytes, LE);
            FloatVector.fromMemorySegment(S, c, bytes + vBytes, LE).add(v1.mul(alpha)).intoMemorySegment(c, bytes + vBytes, LE);
            return;
        }
        v0.intoArray(out, 0);
        v1.intoArray(out, V);
        for (int j = 0; j < cols; j++) {
            long e = at + j;
            c.setAtIndex(F32, e, c.getAtIndex(F32, e) + alpha * out[j]);
        }
    }

    @Override
    public String description() {
        return "Vector API, " + S.vectorBitSize() + "-bit";
    }
}
