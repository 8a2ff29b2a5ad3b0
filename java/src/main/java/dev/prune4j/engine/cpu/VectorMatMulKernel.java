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
 * <p>Register blocking: 4 rows of A times two vectors' width of B columns, eight accumulators kept
 * in registers across the whole k loop; each step loads two vectors of one B row and broadcasts
 * four A elements.
 */
final class VectorMatMulKernel implements MatMulKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    private final ScalarMatMulKernel edges = new ScalarMatMulKernel();

    @Override
    public void block(float alpha, int k0, int kc, int r0, int r1, int c0, int c1,
                      MemorySegment a, long aOff, int lda,
                      MemorySegment b, long bOff, int ldb,
                      MemorySegment c, long cOff, int ldc) {
        int nr = 2 * V;
        int col = c0;
        for (; col + nr <= c1; col += nr) {
            int r = r0;
            for (; r + 4 <= r1; r += 4) {
                micro4x2(alpha, k0, kc, r, col, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            }
            for (; r < r1; r++) {
                micro1x2(alpha, k0, kc, r, col, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            }
        }
        if (col < c1) {
            edges.block(alpha, k0, kc, r0, r1, col, c1, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }
    }

    @Override
    public String description() {
        return "Vector API, " + S.vectorBitSize() + "-bit";
    }

    private static void micro4x2(float alpha, int k0, int kc, int r, int col,
                                 MemorySegment a, long aOff, int lda,
                                 MemorySegment b, long bOff, int ldb,
                                 MemorySegment c, long cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        long a0 = (aOff + (long) r * lda + k0) * 4;
        long a1 = a0 + (long) lda * 4;
        long a2 = a1 + (long) lda * 4;
        long a3 = a2 + (long) lda * 4;
        long bp = (bOff + (long) k0 * ldb + col) * 4;
        long bStep = (long) ldb * 4;
        long vBytes = (long) V * 4;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, bp, LE);
            FloatVector b1 = FloatVector.fromMemorySegment(S, b, bp + vBytes, LE);
            long ap = (long) p * 4;
            FloatVector x0 = FloatVector.broadcast(S, a.get(F32, a0 + ap));
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a.get(F32, a1 + ap));
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a.get(F32, a2 + ap));
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a.get(F32, a3 + ap));
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            bp += bStep;
        }
        long cp = (cOff + (long) r * ldc + col) * 4;
        long cStep = (long) ldc * 4;
        addInto(c, cp, vBytes, alpha, c00, c01);
        addInto(c, cp + cStep, vBytes, alpha, c10, c11);
        addInto(c, cp + 2 * cStep, vBytes, alpha, c20, c21);
        addInto(c, cp + 3 * cStep, vBytes, alpha, c30, c31);
    }

    private static void micro1x2(float alpha, int k0, int kc, int r, int col,
                                 MemorySegment a, long aOff, int lda,
                                 MemorySegment b, long bOff, int ldb,
                                 MemorySegment c, long cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        long a0 = (aOff + (long) r * lda + k0) * 4;
        long bp = (bOff + (long) k0 * ldb + col) * 4;
        long bStep = (long) ldb * 4;
        long vBytes = (long) V * 4;
        for (int p = 0; p < kc; p++) {
            FloatVector x0 = FloatVector.broadcast(S, a.get(F32, a0 + (long) p * 4));
            c00 = FloatVector.fromMemorySegment(S, b, bp, LE).fma(x0, c00);
            c01 = FloatVector.fromMemorySegment(S, b, bp + vBytes, LE).fma(x0, c01);
            bp += bStep;
        }
        addInto(c, (cOff + (long) r * ldc + col) * 4, vBytes, alpha, c00, c01);
    }

    private static void addInto(MemorySegment c, long at, long vBytes, float alpha, FloatVector v0, FloatVector v1) {
        FloatVector.fromMemorySegment(S, c, at, LE).add(v0.mul(alpha)).intoMemorySegment(c, at, LE);
        FloatVector.fromMemorySegment(S, c, at + vBytes, LE).add(v1.mul(alpha)).intoMemorySegment(c, at + vBytes, LE);
    }
}
