package dev.prune4j.internal.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.internal.tensor.LittleEndian;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MatMulTest {
    private static final Parallel TWO_THREADS = (n, body) -> java.util.stream.IntStream.range(0, n).parallel().forEach(body);

    private static MemorySegment random(Arena arena, int count, Random rnd) {
        MemorySegment s = arena.allocate((long) count * 4, 64);
        for (int i = 0; i < count; i++) {
            s.setAtIndex(LittleEndian.F32, i, (float) rnd.nextGaussian());
        }
        return s;
    }

    @Test
    void multiplyAddMatchesADoubleReferenceOnOddShapes() {
        Random rnd = new Random(11);
        try (Arena arena = Arena.ofShared()) {
            for (int[] mnk : new int[][] {{1, 1, 1}, {5, 33, 7}, {67, 300, 259}, {130, 65, 513}}) {
                int m = mnk[0], n = mnk[1], k = mnk[2];
                MemorySegment a = random(arena, m * k, rnd);
                MemorySegment b = random(arena, k * n, rnd);
                MemorySegment c = random(arena, m * n, rnd);
                float[] c0 = c.toArray(LittleEndian.F32);
                MatMul.multiplyAdd(TWO_THREADS, MatMul.Triangle.FULL, m, n, k, -0.5f, a, 0, k, b, 0, n, c, 0, n);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) {
                            s += (double) a.getAtIndex(LittleEndian.F32, (long) i * k + p) * b.getAtIndex(LittleEndian.F32, (long) p * n + j);
                        }
                        double expected = c0[i * n + j] - 0.5 * s;
                        assertEquals(expected, c.getAtIndex(LittleEndian.F32, (long) i * n + j), 1e-4 * Math.sqrt(k) * 3, m + "x" + n + "x" + k);
                    }
                }
            }
        }
    }

    @Test
    void bothKernelsAgreeWithEachOther() {
        Random rnd = new Random(13);
        int m = 13, n = 70, k = 33;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = random(arena, m * k, rnd);
            MemorySegment b = random(arena, k * n, rnd);
            MemorySegment viaScalar = arena.allocate((long) m * n * 4, 64);
            MemorySegment viaVector = arena.allocate((long) m * n * 4, 64);
            new ScalarMatMulKernel().block(2f, 0, k, 0, m, 0, n, a, 0, k, b, 0, n, viaScalar, 0, n);
            new VectorMatMulKernel().block(2f, 0, k, 0, m, 0, n, a, 0, k, b, 0, n, viaVector, 0, n);
            for (int i = 0; i < m * n; i++) {
                assertEquals(viaScalar.getAtIndex(LittleEndian.F32, i), viaVector.getAtIndex(LittleEndian.F32, i), 1e-4, "element " + i);
            }
        }
    }

    @Test
    void choleskyInverseFactorIsUpperAndInvertsTheMatrix() {
        Random rnd = new Random(12);
        int n = 150;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment g = random(arena, n * 2 * n, rnd); // [n x 2n]
            MemorySegment h = arena.allocate((long) n * n * 4, 64);
            MatMul.multiplyAdd(Parallel.SEQUENTIAL, MatMul.Triangle.FULL, n, n, 2 * n, 1f / n,
                    g, 0, 2 * n, transpose(arena, g, n, 2 * n), 0, n, h, 0, n);
            double[][] hd = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    hd[i][j] = h.getAtIndex(LittleEndian.F32, (long) i * n + j);
                }
            }
            assertTrue(Cholesky.inverseUpperFactor(TWO_THREADS, h, n));
            double[][] u = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    u[i][j] = h.getAtIndex(LittleEndian.F32, (long) i * n + j);
                    if (j < i) {
                        assertEquals(0.0, u[i][j], "below the diagonal");
                    }
                }
                assertTrue(u[i][i] > 0);
            }
            // (U^T U) H = I
            double worst = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < n; p++) {
                        double inv = 0;
                        for (int q = 0; q <= Math.min(i, p); q++) {
                            inv += u[q][i] * u[q][p];
                        }
                        s += inv * hd[p][j];
                    }
                    worst = Math.max(worst, Math.abs(s - (i == j ? 1 : 0)));
                }
            }
            assertTrue(worst < 1e-3, "max |U^T U H - I| = " + worst);
        }
    }

    @Test
    void choleskyReportsAMatrixThatIsNotPositiveDefinite() {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment h = arena.allocate(4 * 4 * 4, 64);
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    h.setAtIndex(LittleEndian.F32, i * 4 + j, 1f); // rank one
                }
            }
            h.setAtIndex(LittleEndian.F32, 0, 0.5f);
            assertFalse(Cholesky.inverseUpperFactor(Parallel.SEQUENTIAL, h, 4));
        }
    }

    private static MemorySegment transpose(Arena arena, MemorySegment g, int rows, int cols) {
        MemorySegment t = arena.allocate((long) rows * cols * 4, 64);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t.setAtIndex(LittleEndian.F32, (long) j * rows + i, g.getAtIndex(LittleEndian.F32, (long) i * cols + j));
            }
        }
        return t;
    }
}
