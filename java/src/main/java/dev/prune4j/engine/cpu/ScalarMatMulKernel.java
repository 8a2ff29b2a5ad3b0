package dev.prune4j.engine.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** The plain-Java matrix kernel, used when the Vector API is not available. */
final class ScalarMatMulKernel implements MatMulKernel {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void block(float alpha, int k0, int kc, int r0, int r1, int c0, int c1,
                      MemorySegment a, long aOff, int lda,
                      MemorySegment b, long bOff, int ldb,
                      MemorySegment c, long cOff, int ldc) {
        int width = c1 - c0;
        float[] acc = new float[width];
        float[] bRow = new float[width];
        for (int r = r0; r < r1; r++) {
            java.util.Arrays.fill(acc, 0f);
            for (int p = k0; p < k0 + kc; p++) {
                float av = a.getAtIndex(F32, aOff + (long) r * lda + p);
                if (av == 0f) {
                    continue;
                }
                MemorySegment.copy(b, F32, (bOff + (long) p * ldb + c0) * 4, bRow, 0, width);
                for (int j = 0; j < width; j++) {
                    acc[j] += av * bRow[j];
                }
            }
            long cRow = cOff + (long) r * ldc + c0;
            for (int j = 0; j < width; j++) {
                c.setAtIndex(F32, cRow + j, c.getAtIndex(F32, cRow + j) + alpha * acc[j]);
            }
        }
    }

    @Override
    public String description() {
        return "scalar";
    }
}
