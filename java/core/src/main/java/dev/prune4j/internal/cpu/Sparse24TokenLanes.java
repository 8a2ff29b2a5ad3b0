package dev.prune4j.internal.cpu;

import dev.prune4j.sparse.Sparse24;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * 2:4 against {@link #MIN_TOKENS} tokens and more, with the tokens in the vector lanes: each kept
 * value is broadcast once and multiplied with the {@code L} tokens' activations of its input in one
 * FMA. So a 2:4 product costs half the FMAs of the dense one, with no lane selection per token (the
 * {@link Sparse24Tiles} way, about as dear as the FMA it saves), and the position of a kept value
 * is only an address: that of its input's row of {@code x^T}.
 *
 * <p>Layout: the activations transposed per block of {@code L} tokens ({@link #transpose}), input
 * {@code k} of block {@code b} the vector at F32 index {@code (b in + k) L}, the lanes past the last
 * token zero. The weight runs in tiles of {@value #R} rows; per chunk of {@value #CHUNK} inputs the
 * tile's kept values are staged as F32 with their inputs' byte offsets (8 KB with AVX-512, in L1),
 * then run against every token block, two blocks at a time where it can ({@link #tile2}: each staged
 * value and offset loaded once for both), the accumulators waiting in an array between chunks.
 * Within a step the tile's rows touch the same {@code 2 L} rows of {@code x^T} (2 KB), so the
 * loads that the FMAs need come from L1, and the weight is read from memory once per call.
 *
 * <p>Measured on 2 Zen 4 cores (LinearPairsBench, F16 and BF16, 4096x4096 and 11008x4096): at 128
 * and 2048 tokens 2:4 ran 1.07-1.31x faster than dense this way, against 0.90-1.04x when the
 * rows were decompressed for the dense tiles (the path this replaced). At 16 tokens it is no faster
 * than the staged selection tiles (0.70-0.87x of dense against 0.72-0.90x, alternating runs): with
 * one token block the staging (the weight read and widened, the offsets made) costs about as much
 * as the FMAs it feeds, so the lanes start at two blocks.
 */
final class Sparse24TokenLanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /**
     * Tokens from which the token lanes pay: two blocks of them, for {@link #tile2}. With one block,
     * staging costs about as much as the FMAs it feeds (see the class comment).
     */
    static final int MIN_TOKENS = 2 * L;
    /** Weight rows per tile: independent accumulators enough to hide the FMA latency. */
    static final int R = 8;
    /** Inputs per staged chunk (a multiple of every {@code 2 L}). */
    static final int CHUNK = 256;
    /** Kept values per row and chunk: the stride of a row in the staged arrays. */
    private static final int KEPT = CHUNK / 2;

    private Sparse24TokenLanes() {}

    /**
     * {@code x^T} per block of {@code L} tokens, for {@link #run}, F32 in {@code arena}; the lanes
     * past the last token are zero. Native and aligned to 64 bytes, because every FMA loads a vector
     * of it at an address of its own: from a Java array (16 bytes of header) each such load would
     * straddle two cache lines, which cost a third of the kernel's speed on Zen 4.
     */
    static MemorySegment transpose(float[] x, int tokens, int in, Arena arena) {
        int blocks = (tokens + L - 1) / L;
        MemorySegment xt = arena.allocate(Math.multiplyExact((long) blocks * L * in, 4L), 64);
        for (int t = 0; t < tokens; t++) {
            int src = t * in;
            long dst = (long) t / L * in * L + t % L;
            for (int k = 0; k < in; k++) {
                xt.setAtIndex(ValueLayout.JAVA_FLOAT, dst + (long) k * L, x[src + k]);
            }
        }
        return xt;
    }

    /**
     * The rows {@code [r0, r1)} of the 2:4 weight against the {@code tokens} tokens of {@code x}
     * ({@code xt} its {@link #transpose}), into {@code out[token][row - r0]}; {@code tiles} stages
     * the values of the weight's dtype.
     */
    static void run(VectorTiles tiles, MemorySegment values, MemorySegment meta, WeightKind kind, int in, int r0,
                    int r1, float[] x, MemorySegment xt, int tokens, float[] out) {
        int blocks = (tokens + L - 1) / L;
        int steps = in / (2 * L);
        int chunkSteps = CHUNK / (2 * L);
        long half = in / 2;
        long metaRow = Sparse24.metaBytesPerRow(in);
        float[] vals = new float[R * KEPT];
        int[] offsets = new int[R * KEPT];
        float[] acc = new float[blocks * R * L];
        int ldo = r1 - r0;
        for (int r = r0; r < r1; r += R) {
            int n = Math.min(R, r1 - r);
            Arrays.fill(acc, 0f);
            for (int c0 = 0; c0 < steps; c0 += chunkSteps) {
                int cs = Math.min(chunkSteps, steps - c0);
                for (int i = 0; i < R; i++) {
                    // A short tile repeats its last row rather than reading past the range.
                    long q = r + Math.min(i, n - 1);
                    tiles.stage(values, meta, q * half + (long) c0 * L, q * metaRow + (long) c0 * (L / 4), cs, vals,
                            offsets, i * KEPT);
                    toOffsets(offsets, i * KEPT, cs);
                }
                long k0 = 2L * L * c0;
                int b = 0;
                for (; b + 2 <= blocks; b += 2) {
                    tile2(vals, offsets, cs * L, xt, 4L * L * ((long) b * in + k0), 4L * L * ((long) (b + 1) * in + k0),
                            acc, b * R * L, (b + 1) * R * L);
                }
                for (; b < blocks; b++) {
                    tile(vals, offsets, cs * L, xt, 4L * L * ((long) b * in + k0), acc, b * R * L);
                }
            }
            finish(acc, values, meta, kind, in, r, n, x, tokens, out, r0, ldo);
        }
    }

    /** A step's positions (0 to {@code 2 L - 1}) to byte offsets in the chunk's rows of {@code x^T}. */
    private static void toOffsets(int[] pos, int at, int steps) {
        for (int s = 0; s < steps; s++) {
            int e = at + s * L;
            IntVector.fromArray(I, pos, e).add(2 * L * s).mul(4 * L).intoArray(pos, e);
        }
    }

    /**
     * {@code kept} staged values of each of the {@value #R} rows against one token block: row
     * {@code i}'s accumulator, the block's {@code L} tokens, at {@code acc[at + i L]}.
     */
    private static void tile(float[] vals, int[] offs, int kept, MemorySegment xt, long x0, float[] acc, int at) {
        FloatVector a0 = FloatVector.fromArray(F, acc, at);
        FloatVector a1 = FloatVector.fromArray(F, acc, at + L);
        FloatVector a2 = FloatVector.fromArray(F, acc, at + 2 * L);
        FloatVector a3 = FloatVector.fromArray(F, acc, at + 3 * L);
        FloatVector a4 = FloatVector.fromArray(F, acc, at + 4 * L);
        FloatVector a5 = FloatVector.fromArray(F, acc, at + 5 * L);
        FloatVector a6 = FloatVector.fromArray(F, acc, at + 6 * L);
        FloatVector a7 = FloatVector.fromArray(F, acc, at + 7 * L);
        for (int j = 0; j < kept; j++) {
            a0 = FloatVector.broadcast(F, vals[j]).fma(FloatVector.fromMemorySegment(F, xt, x0 + offs[j], LE), a0);
            a1 = FloatVector.broadcast(F, vals[KEPT + j]).fma(FloatVector.fromMemorySegment(F, xt, x0 + offs[KEPT + j], LE), a1);
            a2 = FloatVector.broadcast(F, vals[2 * KEPT + j]).fma(FloatVector.fromMemorySegment(F, xt, x0 + offs[2 * KEPT + j], LE), a2);
            a3 = FloatVector.broadcast(F, vals[3 * KEPT + j]).fma(FloatVector.fromMemorySegment(F, xt, x0 + offs[3 * KEPT + j], LE), a3);
            a4 = FloatVector.broadcast(F, vals[4 * KEPT + j]).fma(FloatVector.fromMemorySegment(F, xt, x0 + offs[4 * KEPT + j], LE), a4);
            a5 = FloatVector.broadcast(F, vals[5 * KEPT + j]).fma(FloatVector.fromMemorySegment(F, xt, x0 + offs[5 * KEPT + j], LE), a5);
            a6 = FloatVector.broadcast(F, vals[6 * KEPT + j]).fma(FloatVector.fromMemorySegment(F, xt, x0 + offs[6 * KEPT + j], LE), a6);
            a7 = FloatVector.broadcast(F, vals[7 * KEPT + j]).fma(FloatVector.fromMemorySegment(F, xt, x0 + offs[7 * KEPT + j], LE), a7);
        }
        a0.intoArray(acc, at);
        a1.intoArray(acc, at + L);
        a2.intoArray(acc, at + 2 * L);
        a3.intoArray(acc, at + 3 * L);
        a4.intoArray(acc, at + 4 * L);
        a5.intoArray(acc, at + 5 * L);
        a6.intoArray(acc, at + 6 * L);
        a7.intoArray(acc, at + 7 * L);
    }

    /**
     * As {@link #tile}, against two token blocks at once ({@code x0} and {@code x1}): each staged value and
     * offset loaded once for both, so an FMA needs two loads rather than three.
     */
    private static void tile2(float[] vals, int[] offs, int kept, MemorySegment xt, long x0, long x1, float[] acc,
                              int at0, int at1) {
        FloatVector a00 = FloatVector.fromArray(F, acc, at0 + 0 * L);
        FloatVector a10 = FloatVector.fromArray(F, acc, at0 + 1 * L);
        FloatVector a20 = FloatVector.fromArray(F, acc, at0 + 2 * L);
        FloatVector a30 = FloatVector.fromArray(F, acc, at0 + 3 * L);
        FloatVector a40 = FloatVector.fromArray(F, acc, at0 + 4 * L);
        FloatVector a50 = FloatVector.fromArray(F, acc, at0 + 5 * L);
        FloatVector a60 = FloatVector.fromArray(F, acc, at0 + 6 * L);
        FloatVector a70 = FloatVector.fromArray(F, acc, at0 + 7 * L);
        FloatVector a01 = FloatVector.fromArray(F, acc, at1 + 0 * L);
        FloatVector a11 = FloatVector.fromArray(F, acc, at1 + 1 * L);
        FloatVector a21 = FloatVector.fromArray(F, acc, at1 + 2 * L);
        FloatVector a31 = FloatVector.fromArray(F, acc, at1 + 3 * L);
        FloatVector a41 = FloatVector.fromArray(F, acc, at1 + 4 * L);
        FloatVector a51 = FloatVector.fromArray(F, acc, at1 + 5 * L);
        FloatVector a61 = FloatVector.fromArray(F, acc, at1 + 6 * L);
        FloatVector a71 = FloatVector.fromArray(F, acc, at1 + 7 * L);
        for (int j = 0; j < kept; j++) {
            FloatVector w0 = FloatVector.broadcast(F, vals[j]);
            long o0 = offs[j];
            a00 = w0.fma(FloatVector.fromMemorySegment(F, xt, x0 + o0, LE), a00);
            a01 = w0.fma(FloatVector.fromMemorySegment(F, xt, x1 + o0, LE), a01);
            FloatVector w1 = FloatVector.broadcast(F, vals[1 * KEPT + j]);
            long o1 = offs[1 * KEPT + j];
            a10 = w1.fma(FloatVector.fromMemorySegment(F, xt, x0 + o1, LE), a10);
            a11 = w1.fma(FloatVector.fromMemorySegment(F, xt, x1 + o1, LE), a11);
            FloatVector w2 = FloatVector.broadcast(F, vals[2 * KEPT + j]);
            long o2 = offs[2 * KEPT + j];
            a20 = w2.fma(FloatVector.fromMemorySegment(F, xt, x0 + o2, LE), a20);
            a21 = w2.fma(FloatVector.fromMemorySegment(F, xt, x1 + o2, LE), a21);
            FloatVector w3 = FloatVector.broadcast(F, vals[3 * KEPT + j]);
            long o3 = offs[3 * KEPT + j];
            a30 = w3.fma(FloatVector.fromMemorySegment(F, xt, x0 + o3, LE), a30);
            a31 = w3.fma(FloatVector.fromMemorySegment(F, xt, x1 + o3, LE), a31);
            FloatVector w4 = FloatVector.broadcast(F, vals[4 * KEPT + j]);
            long o4 = offs[4 * KEPT + j];
            a40 = w4.fma(FloatVector.fromMemorySegment(F, xt, x0 + o4, LE), a40);
            a41 = w4.fma(FloatVector.fromMemorySegment(F, xt, x1 + o4, LE), a41);
            FloatVector w5 = FloatVector.broadcast(F, vals[5 * KEPT + j]);
            long o5 = offs[5 * KEPT + j];
            a50 = w5.fma(FloatVector.fromMemorySegment(F, xt, x0 + o5, LE), a50);
            a51 = w5.fma(FloatVector.fromMemorySegment(F, xt, x1 + o5, LE), a51);
            FloatVector w6 = FloatVector.broadcast(F, vals[6 * KEPT + j]);
            long o6 = offs[6 * KEPT + j];
            a60 = w6.fma(FloatVector.fromMemorySegment(F, xt, x0 + o6, LE), a60);
            a61 = w6.fma(FloatVector.fromMemorySegment(F, xt, x1 + o6, LE), a61);
            FloatVector w7 = FloatVector.broadcast(F, vals[7 * KEPT + j]);
            long o7 = offs[7 * KEPT + j];
            a70 = w7.fma(FloatVector.fromMemorySegment(F, xt, x0 + o7, LE), a70);
            a71 = w7.fma(FloatVector.fromMemorySegment(F, xt, x1 + o7, LE), a71);
        }
        a00.intoArray(acc, at0 + 0 * L);
        a10.intoArray(acc, at0 + 1 * L);
        a20.intoArray(acc, at0 + 2 * L);
        a30.intoArray(acc, at0 + 3 * L);
        a40.intoArray(acc, at0 + 4 * L);
        a50.intoArray(acc, at0 + 5 * L);
        a60.intoArray(acc, at0 + 6 * L);
        a70.intoArray(acc, at0 + 7 * L);
        a01.intoArray(acc, at1 + 0 * L);
        a11.intoArray(acc, at1 + 1 * L);
        a21.intoArray(acc, at1 + 2 * L);
        a31.intoArray(acc, at1 + 3 * L);
        a41.intoArray(acc, at1 + 4 * L);
        a51.intoArray(acc, at1 + 5 * L);
        a61.intoArray(acc, at1 + 6 * L);
        a71.intoArray(acc, at1 + 7 * L);
    }

    /**
     * The tile's results: for its first {@code n} rows and every token, the accumulator's lane plus
     * the groups past the last whole step (scalar), into {@code out[token * ldo + row - o0]}.
     */
    private static void finish(float[] acc, MemorySegment values, MemorySegment meta, WeightKind kind, int in, int r,
                               int n, float[] x, int tokens, float[] out, int o0, int ldo) {
        long half = in / 2;
        int metaRow = Sparse24.metaBytesPerRow(in);
        int fromGroup = in / (2 * L) * L / 2;
        float xBack = kind == WeightKind.F16 ? 1 / VectorRowTiles.F16_X_SCALE : 1f;
        for (int i = 0; i < n; i++) {
            long vi = (long) (r + i) * half;
            long mi = (long) (r + i) * metaRow;
            for (int t = 0; t < tokens; t++) {
                float s = acc[(t / L * R + i) * L + t % L];
                int xt = t * in;
                for (int g = fromGroup; g < in / 4; g++) {
                    int nibble = (meta.get(ValueLayout.JAVA_BYTE, mi + g / 2) >>> ((g & 1) * 4)) & 0xF;
                    s = Math.fma(VectorRowTiles.element(values, kind, vi + 2L * g), x[xt + 4 * g + (nibble & 3)] * xBack, s);
                    s = Math.fma(VectorRowTiles.element(values, kind, vi + 2L * g + 1),
                            x[xt + 4 * g + (nibble >>> 2)] * xBack, s);
                }
                out[t * ldo + r - o0 + i] = s;
            }
        }
    }
}
