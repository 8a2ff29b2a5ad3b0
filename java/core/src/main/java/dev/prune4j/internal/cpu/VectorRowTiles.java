package dev.prune4j.internal.cpu;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.EQ;

import dev.prune4j.internal.tensor.LittleEndian;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.tensor.DType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The decode kernels on the Vector API (in classes of their own, so that nothing else loads
 * {@code jdk.incubator.vector}). A register tile is {@value #R} weight rows by up to
 * {@value RowTiles#TOKENS_PER_TILE} tokens, one F32 accumulator vector each: per step every row's
 * next {@code L} weights (F32 lanes: 16 with AVX-512) are loaded and widened once, in registers, and
 * each token's matching activations once, then shared by all rows. Nothing is staged through
 * memory, so at one token the loop runs at the pace of the weight stream, and 16-bit weights are
 * half the bytes of F32 ones. The tiles themselves are {@link VectorTiles}, one class per dtype.
 *
 * <p>2:4: a step covers {@code 2 L} inputs, i.e. {@code L} kept values and {@code L / 4} metadata
 * bytes of a row. The metadata word is broadcast and shifted per lane to give each kept value's
 * position inside the step, once per row for all tokens; a two-vector lane selection
 * ({@code vpermi2d} on AVX-512) then picks each row's inputs from the token's {@code 2 L}
 * activations: one selection and one FMA per kept value and token, half the FMAs of the dense
 * kernel, and {@code 9 / 16} of its weight bytes for 16-bit weights.
 *
 * <p>One token is the exception ({@link VectorTiles#denseRows1}, {@link VectorTiles#sparseRows1}):
 * not tiles of 4 adjacent rows, which read the weight as 4 interleaved streams each one row long
 * (then 4 new ones), but the task's row range cut into 4 contiguous parts read side by side, row
 * {@code i} of each part in one pass: 4 streams, each megabytes long, one accumulator per part and
 * the activation loads shared. Inferred from timings, not from counters: the memory system keeps
 * more requests in flight for several long streams than for one, and the prefetchers lose short
 * ones. Measured on 2 Zen 4 cores: one row after the other (one stream) beat the 4-row tiles by
 * 5-30% (LLaMA-7B F16 rows) to 1.7x (SmolLM2's F32 rows of 576); 4 parts then beat one stream by
 * 1.4-1.8x at LLaMA-2 7B shapes (4096x11008 F16 dense 6.5-7.4 ms to 4.0-4.1, BF16 5.7-7.3 to
 * 4.0-4.1; 2:4 F16 4.4-6.0 to 2.6-3.0), while 8 parts fell back to one stream's speed.
 *
 * <p>C2 compiles a tile well only while its intermediate graph stays under a node budget; past it,
 * it stops inlining the Vector API calls and every vector becomes a heap object. So a tile method
 * holds the vector loop alone and hands its accumulators back through an array: the horizontal
 * sums and the scalar tails (rows that are not a whole number of steps) run here.
 */
final class VectorRowTiles implements RowTiles {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorTiles F32_TILES = new F32Tiles();
    private static final VectorTiles BF16_TILES = new Bf16Tiles();
    private static final VectorTiles F16_TILES = new F16Tiles();
    private static final int T = TOKENS_PER_TILE;

    VectorRowTiles() {
        if (L != 4 && L != 8 && L != 16) {
            throw new UnsupportedOperationException("no vector kernels for " + L + " float lanes");
        }
    }

    @Override
    public String description() {
        return "Vector API, " + L + " x F32 lanes";
    }

    @Override
    public WeightKind kindOf(MemorySegment data, DType dtype, long count) {
        return WeightKind.of(dtype, dtype == DType.F16 && hasInfOrNan(data, 0, count));
    }

    /** F16 activations are scaled by this (exactly: a power of two), so F16 weights need no rebasing. */
    static final float F16_X_SCALE = 0x1p112f;

    /**
     * F16 weights run against {@code 2^112 x}: exact while every {@code |x| < 2^16} (no overflow);
     * past that, or with Inf or NaN activations, the scalar kernels take the call.
     */
    /** From {@link Sparse24TokenLanes#MIN_TOKENS} tokens on, the 2:4 kernels take them in the vector lanes. */
    @Override
    public MemorySegment lanes(float[] x, int tokens, int in, Arena arena) {
        return Sparse24TokenLanes.transpose(x, tokens, in, arena);
    }

    @Override
    public boolean usesLanes(int tokens) {
        return tokens >= Sparse24TokenLanes.MIN_TOKENS;
    }

    @Override
    public WeightKind prepare(WeightKind kind, float[] x, int count) {
        if (kind != WeightKind.F16) {
            return kind;
        }
        FloatVector max = FloatVector.zero(F);
        int i = 0;
        for (; i <= count - L; i += L) {
            max = max.max(FloatVector.fromArray(F, x, i).abs());
        }
        float m = max.reduceLanes(VectorOperators.MAX);
        for (; i < count; i++) {
            m = Math.max(m, Math.abs(x[i]));
        }
        if (!(m < 0x1p16f)) {
            return WeightKind.F16_WITH_INF_OR_NAN;
        }
        for (i = 0; i <= count - L; i += L) {
            FloatVector.fromArray(F, x, i).mul(F16_X_SCALE).intoArray(x, i);
        }
        for (; i < count; i++) {
            x[i] *= F16_X_SCALE;
        }
        return kind;
    }

    /** True when a run of F16 elements holds an Inf or a NaN (exponent bits all set). */
    static boolean hasInfOrNan(MemorySegment seg, long first, long count) {
        VectorSpecies<Short> s = ShortVector.SPECIES_PREFERRED;
        long e = 0;
        VectorMask<Short> any = s.maskAll(false);
        for (; e + s.length() <= count; e += s.length()) {
            ShortVector v = ShortVector.fromMemorySegment(s, seg, (first + e) * 2, LE);
            any = any.or(v.and((short) 0x7C00).compare(EQ, (short) 0x7C00));
        }
        boolean found = any.anyTrue();
        for (; e < count && !found; e++) {
            found = (seg.get(LittleEndian.I16, (first + e) * 2) & 0x7C00) == 0x7C00;
        }
        return found;
    }

    /** The tiles for {@code kind}; null for F16 with Inf or NaN, which the scalar kernels take. */
    private static VectorTiles tilesFor(WeightKind kind) {
        return switch (kind) {
            case F32 -> F32_TILES;
            case BF16 -> BF16_TILES;
            case F16 -> F16_TILES;
            case F16_WITH_INF_OR_NAN -> null;
        };
    }

    /** One weight as F32 (the tails). */
    static float element(MemorySegment w, WeightKind kind, long e) {
        return switch (kind) {
            case F32 -> w.get(LittleEndian.F32, e * 4);
            case BF16 -> Float.intBitsToFloat((w.get(LittleEndian.I16, e * 2) & 0xFFFF) << 16);
            default -> Float.float16ToFloat(w.get(LittleEndian.I16, e * 2));
        };
    }

    /** The lanes of accumulator {@code slot} (row {@code slot / 4}, token {@code slot % 4}) summed. */
    private static float sum(float[] acc, int slot) {
        return FloatVector.fromArray(F, acc, slot * L).reduceLanes(ADD);
    }

    /**
     * The end of a dense tile: for rows {@code [r, r + n)} and tokens {@code [t, t + m)}, the lanes of
     * the accumulators in {@code acc} summed, the weights past the last whole step added, into
     * {@code out[token * ldo + row - o0]}.
     */
    static void finishDense(float[] acc, MemorySegment w, WeightKind kind, int in, int r, int n, float[] x, int t,
                            int m, float[] out, int o0, int ldo) {
        int from = in / L * L;
        float xBack = kind == WeightKind.F16 ? 1 / F16_X_SCALE : 1f;
        for (int j = 0; j < m; j++) {
            int xj = (t + j) * in;
            for (int i = 0; i < n; i++) {
                long wi = (long) (r + i) * in;
                float s = sum(acc, 4 * i + j);
                for (int k = from; k < in; k++) {
                    s = Math.fma(element(w, kind, wi + k), x[xj + k] * xBack, s);
                }
                out[(t + j) * ldo + r - o0 + i] = s;
            }
        }
    }

    /**
     * As {@link #finishDense}, for a 2:4 tile whose accumulators start at {@code acc[at]}: the groups
     * past the last whole step added.
     */
    static void finishSparse(float[] acc, int at, MemorySegment values, MemorySegment meta, WeightKind kind, int in,
                             int r, int n, float[] x, int t, int m, float[] out, int o0, int ldo) {
        int half = in / 2;
        int metaRow = Sparse24.metaBytesPerRow(in);
        int fromGroup = in / (2 * L) * L / 2;
        float xBack = kind == WeightKind.F16 ? 1 / F16_X_SCALE : 1f;
        for (int j = 0; j < m; j++) {
            int xj = (t + j) * in;
            for (int i = 0; i < n; i++) {
                long vi = (long) (r + i) * half;
                long mi = (long) (r + i) * metaRow;
                float s = FloatVector.fromArray(F, acc, at + (4 * i + j) * L).reduceLanes(ADD);
                for (int g = fromGroup; g < in / 4; g++) {
                    int nibble = (meta.get(ValueLayout.JAVA_BYTE, mi + g / 2) >>> ((g & 1) * 4)) & 0xF;
                    s = Math.fma(element(values, kind, vi + 2L * g), x[xj + 4 * g + (nibble & 3)] * xBack, s);
                    s = Math.fma(element(values, kind, vi + 2L * g + 1), x[xj + 4 * g + (nibble >>> 2)] * xBack, s);
                }
                out[(t + j) * ldo + r - o0 + i] = s;
            }
        }
    }

    /**
     * Dense: tile of 4 rows after tile of 4 rows, each against every token, so the tile's rows are
     * read from memory once and from L1 for the tokens after the first four.
     */
    @Override
    public void dense(MemorySegment w, WeightKind kind, int in, int r0, int r1, float[] x, int tokens, float[] out) {
        VectorTiles tiles = tilesFor(kind);
        if (tiles == null) {
            ScalarRowTiles.INSTANCE.dense(w, kind, in, r0, r1, x, tokens, out);
            return;
        }
        int rows = r1 - r0;
        if (tokens == 1) {
            // One token: the range as four long streams side by side (see the class doc).
            tiles.denseRows1(w, in, r0, r1, x, 0, out, r0, rows);
            return;
        }
        // Few tokens: one call streams the whole range (the memory-bound case).
        int step = tokens <= T ? rows : 4;
        for (int r = r0; r < r1; r += step) {
            int re = Math.min(r1, r + step);
            for (int t = 0; t < tokens; t += T) {
                int m = Math.min(T, tokens - t);
                switch (m) {
                    case 1 -> tiles.dense1(w, in, r, re, x, t, m, out, r0, rows);
                    case 2 -> tiles.dense2(w, in, r, re, x, t, m, out, r0, rows);
                    default -> tiles.dense4(w, in, r, re, x, t, m, out, r0, rows);
                }
            }
        }
    }

    /** Vector steps of a row staged at a time: 4 rows of values and positions, 16 KB with AVX-512 (L1). */
    private static final int CHUNK_STEPS = 32;

    /**
     * 2:4: up to three tokens, the direct tiles of {@link VectorTiles}; from four on, per tile of
     * 4 rows, chunk by chunk, the rows' values and metadata are decoded once into L1-sized arrays
     * ({@link VectorTiles#stage}) and then run against every token ({@link Sparse24Tiles}), the
     * accumulators of all token tiles in one array across chunks; from
     * {@link Sparse24TokenLanes#MIN_TOKENS} on (32 with AVX-512), the tokens in the vector lanes
     * ({@link Sparse24TokenLanes}, on the {@code lanes} layout of x).
     */
    @Override
    public void sparse(MemorySegment values, MemorySegment meta, WeightKind kind, int in, int r0, int r1, float[] x,
                       MemorySegment lanes, int tokens, float[] out) {
        VectorTiles tiles = tilesFor(kind);
        if (tiles == null) {
            ScalarRowTiles.INSTANCE.sparse(values, meta, kind, in, r0, r1, x, null, tokens, out);
            return;
        }
        if (lanes != null) {
            Sparse24TokenLanes.run(tiles, values, meta, kind, in, r0, r1, x, lanes, tokens, out);
            return;
        }
        if (tokens == 1) {
            tiles.sparseRows1(values, meta, in, r0, r1, x, 0, out, r0, r1 - r0);
            return;
        }
        if (tokens < T) {
            // One pass over the weight, decoded in the loop: the memory-bound case.
            if (tokens >= 2) {
                tiles.sparse2(values, meta, in, r0, r1, x, 0, 2, out, r0, r1 - r0);
            }
            if (tokens != 2) {
                tiles.sparse1(values, meta, in, r0, r1, x, tokens - 1, 1, out, r0, r1 - r0);
            }
            return;
        }
        long half = in / 2;
        long metaRow = Sparse24.metaBytesPerRow(in);
        int steps = in / (2 * L);
        int chunk = CHUNK_STEPS * L;
        float[] vals = new float[4 * chunk];
        int[] pos = new int[4 * chunk];
        int tokenTiles = (tokens + T - 1) / T;
        int tileFloats = 4 * T * L;
        float[] acc = new float[tokenTiles * tileFloats];
        for (int r = r0; r < r1; r += 4) {
            int n = Math.min(4, r1 - r);
            java.util.Arrays.fill(acc, 0f);
            for (int c0 = 0; c0 < steps; c0 += CHUNK_STEPS) {
                int cs = Math.min(CHUNK_STEPS, steps - c0);
                for (int i = 0; i < 4; i++) {
                    // A short tile repeats its last row rather than reading past the range.
                    long q = r + Math.min(i, n - 1);
                    tiles.stage(values, meta, q * half + (long) c0 * L, q * metaRow + (long) c0 * (L / 4), cs, vals, pos,
                            i * chunk);
                }
                int k0 = 2 * L * c0;
                for (int u = 0; u < tokenTiles; u++) {
                    int t = u * T;
                    int m = Math.min(T, tokens - t);
                    int x0 = t * in + k0;
                    switch (m) {
                        case 1 -> Sparse24Tiles.tile1(vals, pos, chunk, cs, x, x0, acc, u * tileFloats);
                        case 2 -> Sparse24Tiles.tile2(vals, pos, chunk, cs, x, x0, x0 + in, acc, u * tileFloats);
                        default -> Sparse24Tiles.tile4(vals, pos, chunk, cs, x, x0, x0 + in, x0 + Math.min(2, m - 1) * in,
                                x0 + (m - 1) * in, acc, u * tileFloats);
                    }
                }
            }
            for (int u = 0; u < tokenTiles; u++) {
                int t = u * T;
                finishSparse(acc, u * tileFloats, values, meta, kind, in, r, n, x, t, Math.min(T, tokens - t), out, r0,
                        r1 - r0);
            }
        }
    }
}
