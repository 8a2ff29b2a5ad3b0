package dev.prune4j.engine.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The inner kernel of {@link MatMul}: {@code C[r0:r1, c0:c1] += alpha * A[r0:r1, k0:k0+kc] * B[k0:k0+kc, c0:c1]}
 * on row-major F32 data (little-endian) held in segments. Offsets and leading dimensions count
 * elements, not bytes. Two implementations: one on the Vector API, one in plain Java.
 */
interface MatMulKernel {
    void block(float alpha, int k0, int kc, int r0, int r1, int c0, int c1,
               MemorySegment a, long aOff, int lda,
               MemorySegment b, long bOff, int ldb,
               MemorySegment c, long cOff, int ldc);

    String description();
}
