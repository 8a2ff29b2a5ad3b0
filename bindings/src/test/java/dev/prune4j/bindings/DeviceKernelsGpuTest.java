package dev.prune4j.bindings;

import static dev.prune4j.bindings.Prune4jH.C_DOUBLE;
import static dev.prune4j.bindings.Prune4jH.C_INT;
import static dev.prune4j.bindings.Prune4jH.P4J_DTYPE_BF16;
import static dev.prune4j.bindings.Prune4jH.P4J_DTYPE_F16;
import static dev.prune4j.bindings.Prune4jH.P4J_DTYPE_F32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The calibration, Wanda and SparseGPT kernels of native/src against plain-Java references of the
 * CPU engine's arithmetic (this module cannot see the CPU engine itself): bit-identical where the
 * CPU's roundings are reproduced (conversions, Wanda and OBS scores, the OBS block, masks, the damped
 * diagonal), within stated tolerances for products cuBLASLt and cuSOLVER sum in their own order.
 * Skipped (reported as skipped) where no CUDA device is usable.
 */
@Tag("gpu")
class DeviceKernelsGpuTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG;

    private static CudaContext ctx;
    private static String unavailable;

    private Arena arena;
    private final List<DeviceBuffer> buffers = new ArrayList<>();
    private long state;

    @BeforeAll
    static void openDevice() {
        try {
            if (!NativeLibrary.isAvailable()) {
                unavailable = "libprune4j not loadable: " + NativeLibrary.describe();
                return;
            }
            if (CudaContext.deviceCount() == 0) {
                unavailable = "no CUDA device";
                return;
            }
            ctx = CudaContext.open(0);
            System.out.println("device kernel tests on " + ctx.deviceName() + " (" + ctx.capability() + ")");
        } catch (Prune4jException e) {
            unavailable = "no usable CUDA device: " + e.getMessage();
        }
    }

    @AfterAll
    static void closeDevice() {
        if (ctx != null) {
            ctx.close();
        }
    }

    @BeforeEach
    void requireDevice() {
        Assumptions.assumeTrue(ctx != null, () -> unavailable);
        arena = Arena.ofConfined();
        state = 2024;
    }

    @AfterEach
    void free() {
        for (DeviceBuffer b : buffers) {
            b.close();
        }
        buffers.clear();
        if (arena != null) {
            arena.close();
        }
    }

    // ---- helpers ----

    private long next() {
        state = state * 6364136223846793005L + 1442695040888963407L;
        return state;
    }

    private float u() {
        return (next() >>> 40) * 0x1p-24f;
    }

    private DeviceBuffer device(long bytes) {
        DeviceBuffer b = ctx.allocate(Math.max(bytes, 8));
        buffers.add(b);
        return b;
    }

    private DeviceBuffer upload(MemorySegment host) {
        DeviceBuffer b = device(host.byteSize());
        ctx.copyToDevice(host, b, 0);
        return b;
    }

    private MemorySegment download(DeviceBuffer b, long bytes) {
        MemorySegment host = arena.allocate(bytes, 8);
        ctx.copyToHost(b, 0, host);
        return host;
    }

    private MemorySegment floats(float[] values) {
        MemorySegment m = arena.allocate((long) values.length * 4, 8);
        MemorySegment.copy(values, 0, m, F32, 0, values.length);
        return m;
    }

    private static float[] toFloats(MemorySegment m) {
        return m.toArray(F32);
    }

    /** values in dtype: F32 as is, F16 and BF16 rounded (the test's inputs are then their widened values). */
    private MemorySegment encode(float[] values, int dtype) {
        if (dtype == P4J_DTYPE_F32) {
            return floats(values);
        }
        MemorySegment m = arena.allocate((long) values.length * 2, 8);
        for (int i = 0; i < values.length; i++) {
            m.setAtIndex(I16, i, dtype == P4J_DTYPE_F16 ? Float.floatToFloat16(values[i]) : bf16(values[i]));
        }
        return m;
    }

    private static float decode(MemorySegment m, int dtype, long i) {
        return switch (dtype) {
            case P4J_DTYPE_F32 -> m.getAtIndex(F32, i);
            case P4J_DTYPE_F16 -> Float.float16ToFloat(m.getAtIndex(I16, i));
            default -> Float.intBitsToFloat((m.getAtIndex(I16, i) & 0xFFFF) << 16);
        };
    }

    /** dev.prune4j.tensor.Half.floatToBf16. */
    private static short bf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** Element i of a dtype tensor becomes a NaN or an infinity. */
    private static void poison(MemorySegment m, int dtype, long i, boolean nan) {
        switch (dtype) {
            case P4J_DTYPE_F32 -> m.setAtIndex(ValueLayout.JAVA_INT, i, nan ? 0x7FC00000 : 0x7F800000);
            case P4J_DTYPE_F16 -> m.setAtIndex(I16, i, nan ? (short) 0x7E00 : (short) 0x7C00);
            default -> m.setAtIndex(I16, i, nan ? (short) 0x7FC0 : (short) 0x7F80);
        }
    }

    private MemorySegment longs(int n) {
        return arena.allocate((long) n * 8, 8);
    }

    private static void check(int status, String call) {
        CudaContext.check(status, call);
    }

    private static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }

    private static void assertClose(double[] expected, float[] actual, double tolerance, String what) {
        double largest = 0;
        for (double e : expected) {
            largest = Math.max(largest, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]);
            if (!(err <= tolerance * largest)) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (tolerance "
                        + tolerance + " x " + largest + ")");
            }
        }
    }

    // ---- conversions ----

    @Test
    void conversionsRoundAsJavaDoes() {
        int n = 200_000;
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            float f = Float.intBitsToFloat((int) (next() >>> 32));
            values[i] = Float.isNaN(f) ? 1.5f : f;
        }
        values[0] = 65520f;
        values[1] = 65519.99f;
        values[2] = 0x1.0p-25f;
        values[3] = -0x1.8p-25f;
        DeviceBuffer src = upload(floats(values));
        for (int dtype : new int[] {P4J_DTYPE_F16, P4J_DTYPE_BF16}) {
            DeviceBuffer dst = device((long) n * 2);
            check(Prune4jH.prune4j_convert(ctx.handle(), src.pointer(), P4J_DTYPE_F32, dst.pointer(), dtype, n), "convert");
            MemorySegment out = download(dst, (long) n * 2);
            for (int i = 0; i < n; i++) {
                short expected = dtype == P4J_DTYPE_F16 ? Float.floatToFloat16(values[i]) : bf16(values[i]);
                assertEquals(expected, out.getAtIndex(I16, i), "F32 -> " + dtype + " of " + values[i]);
            }
            DeviceBuffer back = device((long) n * 4);
            check(Prune4jH.prune4j_convert(ctx.handle(), dst.pointer(), dtype, back.pointer(), P4J_DTYPE_F32, n), "convert");
            float[] widened = toFloats(download(back, (long) n * 4));
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(decode(out, dtype, i)), Float.floatToRawIntBits(widened[i]), "widen");
            }
        }
    }

    // ---- Wanda ----

    @Test
    void wandaScoresAreBitIdentical() {
        for (int cols : new int[] {100, 99}) {
            for (int dtype : new int[] {P4J_DTYPE_F32, P4J_DTYPE_F16, P4J_DTYPE_BF16}) {
                int rows = 37;
                long tokens = 123;
                float[] w = new float[rows * cols];
                for (int i = 0; i < w.length; i++) {
                    w[i] = 4f * u() - 2f;
                }
                float[] norm = new float[cols];
                for (int j = 0; j < cols; j++) {
                    norm[j] = 1000f * u();
                }
                MemorySegment wh = encode(w, dtype);
                DeviceBuffer wd = upload(wh);
                DeviceBuffer nd = upload(floats(norm));
                DeviceBuffer sd = device((long) rows * cols * 4);
                check(Prune4jH.prune4j_wanda_scores(ctx.handle(), wd.pointer(), dtype, rows, cols, nd.pointer(), tokens,
                        sd.pointer()), "wanda_scores");
                float[] expected = new float[rows * cols];
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < cols; j++) {
                        float scale = (float) Math.sqrt(norm[j] / (double) tokens);
                        expected[r * cols + j] = Math.abs(decode(wh, dtype, (long) r * cols + j)) * scale;
                    }
                }
                assertSameBits(expected, toFloats(download(sd, (long) rows * cols * 4)), "wanda " + dtype + " " + cols);
            }
        }
    }

    // ---- calibration ----

    @Test
    void squaredNormsAreAccumulatedInDouble() {
        for (int in : new int[] {260, 259}) {
            for (int dtype : new int[] {P4J_DTYPE_F16, P4J_DTYPE_BF16, P4J_DTYPE_F32}) {
                int tokens = 1000;
                float[] x = new float[tokens * in];
                for (int i = 0; i < x.length; i++) {
                    x[i] = 8f * u() - 4f;
                }
                float[] start = new float[in];
                for (int j = 0; j < in; j++) {
                    start[j] = 10f * u();
                }
                MemorySegment xh = encode(x, dtype);
                DeviceBuffer xd = upload(xh);
                DeviceBuffer sums = upload(floats(start));
                MemorySegment bad = longs(2);
                check(Prune4jH.prune4j_accumulate_squared_norms(ctx.handle(), xd.pointer(), dtype, tokens, in,
                        sums.pointer(), bad, bad.asSlice(8)), "accumulate_squared_norms");
                float[] got = toFloats(download(sums, in * 4L));
                for (int j = 0; j < in; j++) {
                    double s = 0;
                    for (int t = 0; t < tokens; t++) {
                        double v = decode(xh, dtype, (long) t * in + j);
                        s += v * v;
                    }
                    float expected = (float) (start[j] + s);
                    assertTrue(Math.abs(got[j] - expected) <= Math.ulp(expected), "column " + j + ": " + got[j] + " vs " + expected);
                }
                assertEquals(-1L, bad.get(I64, 0));
                // A NaN is found by its flat index, and the sums stay as they were.
                poison(xh, dtype, 517L * in + 33, true);
                ctx.copyToDevice(xh, xd, 0);
                int status = Prune4jH.prune4j_accumulate_squared_norms(ctx.handle(), xd.pointer(), dtype, tokens, in,
                        sums.pointer(), bad, bad.asSlice(8));
                assertEquals(Prune4jH.P4J_ERR_NOT_FINITE, status);
                assertEquals(517L * in + 33, bad.get(I64, 0));
                assertSameBits(got, toFloats(download(sums, in * 4L)), "sums unchanged after a NaN");
            }
        }
    }

    @Test
    void hessianUpdateIsSymmetricAndMatchesDouble() {
        for (int dtype : new int[] {P4J_DTYPE_F16, P4J_DTYPE_BF16, P4J_DTYPE_F32}) {
            int n = 2100; // two strips
            int tokens = 96;
            float decay = 0.5f;
            float scale = 0.3f;
            float[] x = new float[tokens * n];
            for (int i = 0; i < x.length; i++) {
                x[i] = 2f * u() - 1f;
            }
            MemorySegment xh = encode(x, dtype);
            float[] h0 = new float[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    float v = u();
                    h0[i * n + j] = v;
                    h0[j * n + i] = v;
                }
            }
            DeviceBuffer xd = upload(xh);
            DeviceBuffer hd = upload(floats(h0));
            MemorySegment bad = longs(2);
            check(Prune4jH.prune4j_hessian_update(ctx.handle(), hd.pointer(), n, xd.pointer(), dtype, tokens, decay, scale,
                    bad, bad.asSlice(8)), "hessian_update");
            float[] h = toFloats(download(hd, (long) n * n * 4));
            double[] xs = new double[tokens * n];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = decode(xh, dtype, i);
            }
            double[] expected = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(Float.floatToRawIntBits(h[i * n + j]), Float.floatToRawIntBits(h[j * n + i]), "symmetry");
                }
                for (int j = i; j < n; j++) {
                    double s = 0;
                    for (int t = 0; t < tokens; t++) {
                        s += xs[t * n + i] * xs[t * n + j];
                    }
                    double v = (double) decay * h0[i * n + j] + (double) scale * scale * s;
                    expected[i * n + j] = v;
                    expected[j * n + i] = v;
                }
            }
            assertClose(expected, h, 1e-5, "Hessian " + dtype);
            // An infinity in X: named by its flat index, and the diagonal entry it spoiled.
            poison(xh, dtype, 5L * n + 77, false);
            ctx.copyToDevice(xh, xd, 0);
            int status = Prune4jH.prune4j_hessian_update(ctx.handle(), hd.pointer(), n, xd.pointer(), dtype, tokens, 1f, 1f,
                    bad, bad.asSlice(8));
            assertEquals(Prune4jH.P4J_ERR_NOT_FINITE, status);
            assertEquals(5L * n + 77, bad.get(I64, 0));
            assertEquals(77L * n + 77, bad.get(I64, 8));
        }
    }

    // ---- SparseGPT preparation ----

    @Test
    void deadInputsAndDampingAsTheCpuEngine() {
        int n = 50;
        int rows = 20;
        float[] h = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                float v = i == j ? 1f + u() : 0.1f * u();
                h[i * n + j] = v;
                h[j * n + i] = v;
            }
        }
        for (int dead : new int[] {3, 17}) {
            for (int k = 0; k < n; k++) {
                h[dead * n + k] = 0f;
                h[k * n + dead] = 0f;
            }
        }
        float[] w = new float[rows * n];
        for (int i = 0; i < w.length; i++) {
            w[i] = u() + 0.5f;
        }
        DeviceBuffer hd = upload(floats(h));
        DeviceBuffer wd = upload(floats(w));
        MemorySegment count = longs(1);
        check(Prune4jH.prune4j_sparsegpt_dead_inputs(ctx.handle(), hd.pointer(), n, wd.pointer(), rows, count), "dead_inputs");
        assertEquals(2L, count.get(I64, 0));
        float[] wz = toFloats(download(wd, (long) rows * n * 4));
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < n; j++) {
                float expected = j == 3 || j == 17 ? 0f : w[r * n + j];
                assertEquals(expected, wz[r * n + j]);
            }
        }
        DeviceBuffer hinv = device((long) n * n * 4);
        MemorySegment mean = arena.allocate(C_DOUBLE);
        check(Prune4jH.prune4j_sparsegpt_damp(ctx.handle(), hd.pointer(), n, 0.01, hinv.pointer(), mean), "damp");
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += h[j * n + j] == 0f ? 1.0 : h[j * n + j];
        }
        assertEquals(sum / n, mean.get(C_DOUBLE, 0), 1e-12 * sum);
        float damp = (float) (0.01 * mean.get(C_DOUBLE, 0));
        float[] expected = h.clone();
        for (int j = 0; j < n; j++) {
            expected[j * n + j] = (h[j * n + j] == 0f ? 1f : h[j * n + j]) + damp;
        }
        assertSameBits(expected, toFloats(download(hinv, (long) n * n * 4)), "damped copy");
    }

    @Test
    void choleskyInverseUpperFactor() {
        int n = 300;
        double[] b = new double[n * n];
        for (int i = 0; i < b.length; i++) {
            b[i] = u() - 0.5;
        }
        float[] a = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = i == j ? 1 : 0;
                for (int k = 0; k < n; k++) {
                    s += b[i * n + k] * b[j * n + k] / n;
                }
                a[i * n + j] = (float) s;
            }
        }
        DeviceBuffer ad = upload(floats(a));
        MemorySegment info = arena.allocate(C_INT);
        check(Prune4jH.prune4j_cholesky_inverse_upper(ctx.handle(), ad.pointer(), n, info), "cholesky_inverse_upper");
        float[] u = toFloats(download(ad, (long) n * n * 4));
        // Upper triangular with a positive diagonal, and U^T U A = I.
        double[] utu = new double[n * n];
        for (int i = 0; i < n; i++) {
            assertTrue(u[i * n + i] > 0, "diagonal " + i);
            for (int j = 0; j < i; j++) {
                assertEquals(0f, u[i * n + j], "below the diagonal at " + i + ", " + j);
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k <= Math.min(i, j); k++) {
                    s += (double) u[k * n + i] * u[k * n + j];
                }
                utu[i * n + j] = s;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += utu[i * n + k] * a[k * n + j];
                }
                assertEquals(i == j ? 1.0 : 0.0, s, 1e-3, "(U^T U A)[" + i + "][" + j + "]");
            }
        }
        // Not positive definite: the status the damping retry waits for.
        float[] neg = new float[16];
        for (int i = 0; i < 4; i++) {
            neg[i * 4 + i] = i == 2 ? -1f : 1f;
        }
        DeviceBuffer nd = upload(floats(neg));
        int status = Prune4jH.prune4j_cholesky_inverse_upper(ctx.handle(), nd.pointer(), 4, info);
        assertEquals(Prune4jH.P4J_ERR_NOT_POSITIVE_DEFINITE, status);
        assertEquals(3, info.get(C_INT, 0));
    }

    // ---- the OBS step ----

    private static final int[][] OBS_CONFIGS = {
        {0, 128, 0, 0}, {128, 224, 0, 0}, {0, 128, 2, 4}, {0, 128, 4, 8}, {128, 224, 2, 4},
        {16, 112, 2, 6}, {0, 224, 0, 0}, {0, 224, 1, 8}, {5, 69, 0, 0}, {40, 72, 1, 4},
    };

    /** CpuKernels.obsBlock's arithmetic for one row (ObsBlock.chunk per element), in Java floats. */
    private static void obsRow(float[] w, int base, float[] hinv, int cols, int from, int width, boolean[] keep, int kb,
                               int nmN, int nmM, float[] err, int eb) {
        for (int i = 0; i < width; i++) {
            if (nmM > 0 && i % nmM == 0) {
                for (int a = 0; a < nmM; a++) {
                    float d = hinv[(from + i + a) * cols + from + i + a];
                    float wa = w[base + i + a];
                    float sa = wa * wa / (d * d);
                    int larger = 0;
                    for (int b2 = 0; b2 < nmM; b2++) {
                        if (b2 == a) {
                            continue;
                        }
                        float db = hinv[(from + i + b2) * cols + from + i + b2];
                        float wb = w[base + i + b2];
                        float sb = wb * wb / (db * db);
                        if (sb > sa || (sb == sa && b2 < a)) {
                            larger++;
                        }
                    }
                    keep[kb + i + a] = larger < nmN;
                }
            }
            float d = hinv[(from + i) * cols + from + i];
            float v = w[base + i];
            float q = keep[kb + i] ? v : 0f;
            float e = (v - q) / d;
            err[eb + i] = e;
            w[base + i] = q;
            for (int j = i + 1; j < width; j++) {
                w[base + j] -= e * hinv[(from + i) * cols + from + j];
            }
        }
    }

    private MemorySegment packBits(boolean[] bits) {
        MemorySegment m = arena.allocate(((bits.length + 63) / 64 + 1) * 8L, 8);
        for (int k = 0; k < bits.length; k++) {
            if (bits[k]) {
                m.setAtIndex(I64, k >> 6, m.getAtIndex(I64, k >> 6) | (1L << (k & 63)));
            }
        }
        return m;
    }

    private static boolean bit(MemorySegment m, long k) {
        return ((m.getAtIndex(I64, k >> 6) >>> (k & 63)) & 1) != 0;
    }

    @Test
    void obsBlockIsBitIdenticalToTheCpuArithmetic() {
        // 70 rows: one warp and a partial one; 9000 rows: several warps per thread block on an H200.
        for (int rows : new int[] {70, 9000}) {
            int cols = 224;
            state = 2024;
            float[] w0 = new float[rows * cols];
            for (int k = 0; k < w0.length; k++) {
                w0[k] = 4f * u() - 2f;
            }
            float[] hinv = new float[cols * cols];
            for (int i = 0; i < cols; i++) {
                for (int j = 0; j < cols; j++) {
                    float x = u();
                    hinv[i * cols + j] = j > i ? 0.15f * (2f * x - 1f) : j == i ? 0.5f + x : 2f * x - 1f;
                }
            }
            DeviceBuffer hd = upload(floats(hinv));
            for (int c = 0; c < OBS_CONFIGS.length; c++) {
                int from = OBS_CONFIGS[c][0], to = OBS_CONFIGS[c][1], nmN = OBS_CONFIGS[c][2], nmM = OBS_CONFIGS[c][3];
                int width = to - from;
                state = 7 + c;
                boolean[] keep = new boolean[rows * width];
                for (int k = 0; k < keep.length; k++) {
                    keep[k] = ((next() >>> 33) & 1) != 0;
                }
                DeviceBuffer wd = upload(floats(w0));
                DeviceBuffer kd = upload(packBits(keep));
                DeviceBuffer ed = device((long) rows * width * 4);
                check(Prune4jH.prune4j_obs_block(ctx.handle(), wd.pointer(), rows, cols, hd.pointer(), from, to,
                        kd.pointer(), nmN, nmM, ed.pointer()), "obs_block");
                float[] w = w0.clone();
                float[] err = new float[rows * width];
                for (int r = 0; r < rows; r++) {
                    obsRow(w, r * cols + from, hinv, cols, from, width, keep, r * width, nmN, nmM, err, r * width);
                }
                String what = "obs_block rows " + rows + " block [" + from + ", " + to + ") " + nmN + ":" + nmM;
                assertSameBits(w, toFloats(download(wd, (long) rows * cols * 4)), what + " weights");
                assertSameBits(err, toFloats(download(ed, (long) rows * width * 4)), what + " errors");
                MemorySegment kh = download(kd, kd.byteSize());
                for (int k = 0; k < keep.length; k++) {
                    assertEquals(keep[k], bit(kh, k), what + " keep bit " + k);
                }
                // The saliency on the same block, bit-identical.
                DeviceBuffer sd = device((long) rows * width * 4);
                check(Prune4jH.prune4j_obs_scores(ctx.handle(), wd.pointer(), rows, cols, hd.pointer(), from, to,
                        sd.pointer()), "obs_scores");
                float[] scores = new float[rows * width];
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < width; j++) {
                        float d = hinv[(from + j) * cols + from + j];
                        float v = w[r * cols + from + j];
                        scores[r * width + j] = v * v / (d * d);
                    }
                }
                assertSameBits(scores, toFloats(download(sd, (long) rows * width * 4)), what + " scores");
            }
        }
    }

    @Test
    void trailingUpdateMatchesDouble() {
        int rows = 70, cols = 224, from = 0, to = 128, width = to - from;
        float[] w = new float[rows * cols];
        float[] err = new float[rows * width];
        float[] hinv = new float[cols * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = u() - 0.5f;
        }
        for (int i = 0; i < err.length; i++) {
            err[i] = u() - 0.5f;
        }
        for (int i = 0; i < hinv.length; i++) {
            hinv[i] = u() - 0.5f;
        }
        DeviceBuffer wd = upload(floats(w));
        DeviceBuffer ed = upload(floats(err));
        DeviceBuffer hd = upload(floats(hinv));
        check(Prune4jH.prune4j_obs_trailing_update(ctx.handle(), wd.pointer(), rows, cols, ed.pointer(), hd.pointer(),
                from, to), "obs_trailing_update");
        double[] expected = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                double s = w[r * cols + j];
                if (j >= to) {
                    for (int i = 0; i < width; i++) {
                        s -= (double) err[r * width + i] * hinv[(from + i) * cols + j];
                    }
                }
                expected[r * cols + j] = s;
            }
        }
        assertClose(expected, toFloats(download(wd, (long) rows * cols * 4)), 1e-5, "trailing update");
    }

    @Test
    void blockMasksGoIntoTheLayerMask() {
        int rows = 13, cols = 150;
        boolean[] layer = new boolean[rows * cols];
        for (int k = 0; k < layer.length; k++) {
            layer[k] = (next() & 1) != 0;
        }
        DeviceBuffer ld = upload(packBits(layer));
        for (int[] block : new int[][] {{0, 64}, {64, 57}, {121, 29}, {7, 1}}) {
            int from = block[0], width = block[1];
            boolean[] bits = new boolean[rows * width];
            for (int k = 0; k < bits.length; k++) {
                bits[k] = (next() & 1) != 0;
            }
            DeviceBuffer bd = upload(packBits(bits));
            check(Prune4jH.prune4j_mask_insert_block(ctx.handle(), bd.pointer(), rows, width, ld.pointer(), cols, from),
                    "mask_insert_block");
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < width; j++) {
                    layer[r * cols + from + j] = bits[r * width + j];
                }
            }
            MemorySegment got = download(ld, ld.byteSize());
            for (int k = 0; k < layer.length; k++) {
                assertEquals(layer[k], bit(got, k), "layer bit " + k + " after block at " + from);
            }
        }
    }

    @Test
    void quadraticFormMatchesDouble() {
        int rows = 50, n = 96;
        float[] a = new float[rows * n];
        float[] b = new float[rows * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = u() - 0.5f;
            b[i] = (next() & 3) == 0 ? 0f : a[i] + 0.01f * (u() - 0.5f);
        }
        float[] h = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                float v = i == j ? 2f + u() : 0.1f * (u() - 0.5f);
                h[i * n + j] = v;
                h[j * n + i] = v;
            }
        }
        MemorySegment ah = encode(a, P4J_DTYPE_F16);
        MemorySegment bh = encode(b, P4J_DTYPE_F16);
        DeviceBuffer ad = upload(ah);
        DeviceBuffer bd = upload(bh);
        DeviceBuffer hd = upload(floats(h));
        MemorySegment result = arena.allocate(C_DOUBLE);
        check(Prune4jH.prune4j_row_quadratic_form_sum(ctx.handle(), ad.pointer(), P4J_DTYPE_F16, bd.pointer(),
                P4J_DTYPE_F16, rows, n, hd.pointer(), result), "row_quadratic_form_sum");
        double expected = 0;
        float[] d = new float[rows * n];
        for (int i = 0; i < d.length; i++) {
            d[i] = decode(ah, P4J_DTYPE_F16, i) - decode(bh, P4J_DTYPE_F16, i);
        }
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    expected += (double) d[r * n + i] * h[i * n + j] * d[r * n + j];
                }
            }
        }
        assertEquals(expected, result.get(C_DOUBLE, 0), 1e-5 * Math.abs(expected));
        // D given directly (b NULL, F32).
        DeviceBuffer dd = upload(floats(d));
        check(Prune4jH.prune4j_row_quadratic_form_sum(ctx.handle(), dd.pointer(), P4J_DTYPE_F32, MemorySegment.NULL,
                P4J_DTYPE_F32, rows, n, hd.pointer(), result), "row_quadratic_form_sum (D)");
        assertEquals(expected, result.get(C_DOUBLE, 0), 1e-5 * Math.abs(expected));
    }

    // ---- global magnitude ----

    @Test
    void asynchronousHistogramEqualsTheWaitingOne() {
        int n = 100_000;
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = 8f * u() - 4f;
        }
        MemorySegment vh = encode(values, P4J_DTYPE_F16);
        DeviceBuffer vd = upload(vh);
        int bins = 1 << 15;
        DeviceBuffer h1 = device(bins * 8L);
        DeviceBuffer h2 = device(bins * 8L);
        DeviceBuffer slot = device(8);
        ctx.memset(h1, 0, bins * 8L);
        ctx.memset(h2, 0, bins * 8L);
        ctx.memset(slot, 0x7F, 8);
        MemorySegment nan = longs(1);
        check(Prune4jH.prune4j_magnitude_histogram(ctx.handle(), vd.pointer(), P4J_DTYPE_F16, n, MemorySegment.NULL,
                Prune4jH.P4J_KEYS_F16_BITS, 0, 15, 0, h1.pointer(), nan), "magnitude_histogram");
        for (int pass = 0; pass < 2; pass++) { // twice: the histogram accumulates
            check(Prune4jH.prune4j_magnitude_histogram_async(ctx.handle(), vd.pointer(), P4J_DTYPE_F16, n,
                    MemorySegment.NULL, Prune4jH.P4J_KEYS_F16_BITS, 0, 15, 0, h2.pointer(), slot.pointer()),
                    "magnitude_histogram_async");
        }
        ctx.synchronize();
        MemorySegment a = download(h1, bins * 8L);
        MemorySegment b2 = download(h2, bins * 8L);
        for (int k = 0; k < bins; k++) {
            assertEquals(2 * a.getAtIndex(I64, k), b2.getAtIndex(I64, k), "bin " + k);
        }
        assertTrue(download(slot, 8).get(I64, 0) >= n, "no NaN");
        vh.setAtIndex(I16, 777, (short) 0x7E00);
        ctx.copyToDevice(vh, vd, 0);
        check(Prune4jH.prune4j_magnitude_histogram_async(ctx.handle(), vd.pointer(), P4J_DTYPE_F16, n, MemorySegment.NULL,
                Prune4jH.P4J_KEYS_F16_BITS, 0, 15, 0, h2.pointer(), slot.pointer()), "magnitude_histogram_async");
        ctx.synchronize();
        assertEquals(777L, download(slot, 8).get(I64, 0));
    }
}
