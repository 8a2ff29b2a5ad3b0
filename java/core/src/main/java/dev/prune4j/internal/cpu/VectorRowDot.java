package dev.prune4j.internal.cpu;

import dev.prune4j.sparse.Sparse24;
import dev.prune4j.internal.tensor.FloatRows;
import dev.prune4j.internal.tensor.LittleEndian;
import dev.prune4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row kernels on the Vector API (kept in their own class so that nothing else loads
 * {@code jdk.incubator.vector}). A weight row (for 2:4, its {@code in / 2} values) is first widened
 * to F32 into the thread's scratch array, which stays in L1/L2, once for all tokens of the tile;
 * the dot products then run on floats.
 *
 * <p>The 2:4 kernel works on blocks of {@code L} kept values ({@code L} = F32 lanes, 16 with
 * AVX-512): {@code L / 2} groups, {@code 2 L} inputs and {@code L / 4} metadata bytes. The metadata
 * word is broadcast and shifted per lane into the position of each kept value inside the block,
 * and a two-vector lane selection ({@code vpermt2d} on AVX-512) picks those inputs out of the block's
 * {@code 2 L} activations: one FMA per kept value, half the multiply work of the dense kernel and
 * {@code 9 / 16} of its weight bytes (16-bit types).
 */
final class VectorRowDot implements RowDot {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Lane i: the shift that brings kept value i's 2-bit position to the bottom of the metadata word. */
    private static final IntVector SHIFTS = IntVector.zero(I).addIndex(2);
    /** Lane i: where kept value i's group starts inside the block, {@code 4 * (i / 2)}. */
    private static final IntVector GROUP_START = IntVector.zero(I).addIndex(1).lanewise(VectorOperators.ASHR, 1)
            .lanewise(VectorOperators.LSHL, 2);

    VectorRowDot() {
        if (L != 4 && L != 8 && L != 16) {
            throw new UnsupportedOperationException("no vector kernels for " + L + " float lanes");
        }
    }

    @Override
    public String description() {
        return "Vector API, " + L + " x F32 lanes";
    }

    /** Widens {@code n} weights from element {@code first} into {@code scratch.floats[0 .. n)}. */
    static void widen(MemorySegment seg, DType dtype, long first, int n, RowScratch scratch) {
        FloatRows.read(seg, dtype, first, n, scratch.floats, scratch.halves);
    }

    // ---- dense ----

    @Override
    public void dense(MemorySegment w, DType dtype, int row, int in, float[] x, int tokens, float[] out,
                      RowScratch scratch) {
        widen(w, dtype, (long) row * in, in, scratch);
        float[] wrow = scratch.floats;
        int t = 0;
        for (; t + 4 <= tokens; t += 4) {
            dense4(wrow, in, x, t, out);
        }
        for (; t < tokens; t++) {
            out[t] = dense1(wrow, in, x, t * in);
        }
    }

    private static float dense1(float[] w, int in, float[] x, int xo) {
        // Two accumulators: the FMA latency chain, not the loads, would bound one.
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int k = 0;
        for (; k <= in - 2 * L; k += 2 * L) {
            a0 = FloatVector.fromArray(F, w, k).fma(FloatVector.fromArray(F, x, xo + k), a0);
            a1 = FloatVector.fromArray(F, w, k + L).fma(FloatVector.fromArray(F, x, xo + k + L), a1);
        }
        if (k <= in - L) {
            a0 = FloatVector.fromArray(F, w, k).fma(FloatVector.fromArray(F, x, xo + k), a0);
            k += L;
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD) + denseTail(w, k, in, x, xo);
    }

    private static float denseTail(float[] w, int from, int in, float[] x, int xo) {
        float s = 0;
        for (int k = from; k < in; k++) {
            s = Math.fma(w[k], x[xo + k], s);
        }
        return s;
    }

    private static void dense4(float[] w, int in, float[] x, int t, float[] out) {
        int x0 = t * in;
        int x1 = x0 + in;
        int x2 = x1 + in;
        int x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int k = 0;
        for (; k <= in - L; k += L) {
            FloatVector wv = FloatVector.fromArray(F, w, k);
            a0 = wv.fma(FloatVector.fromArray(F, x, x0 + k), a0);
            a1 = wv.fma(FloatVector.fromArray(F, x, x1 + k), a1);
            a2 = wv.fma(FloatVector.fromArray(F, x, x2 + k), a2);
            a3 = wv.fma(FloatVector.fromArray(F, x, x3 + k), a3);
        }
        out[t] = a0.reduceLanes(VectorOperators.ADD) + denseTail(w, k, in, x, x0);
        out[t + 1] = a1.reduceLanes(VectorOperators.ADD) + denseTail(w, k, in, x, x1);
        out[t + 2] = a2.reduceLanes(VectorOperators.ADD) + denseTail(w, k, in, x, x2);
        out[t + 3] = a3.reduceLanes(VectorOperators.ADD) + denseTail(w, k, in, x, x3);
    }

    // ---- 2:4 ----

    @Override
    public void sparse(MemorySegment values, MemorySegment meta, DType dtype, int row, int in, float[] x, int tokens,
                       float[] out, RowScratch scratch) {
        widen(values, dtype, (long) row * (in / 2), in / 2, scratch);
        float[] v = scratch.floats;
        long metaBase = (long) row * Sparse24.metaBytesPerRow(in);
        int blocks = in / (2 * L);
        int t = 0;
        for (; t + 4 <= tokens; t += 4) {
            sparse4(v, meta, metaBase, blocks, in, x, t, out);
        }
        for (; t < tokens; t++) {
            out[t] = sparse1(v, meta, metaBase, blocks, in, x, t * in);
        }
    }

    /** The 2:4 dot product of widened row values {@code v} over groups {@code [fromGroup, in / 4)}. */
    private static float sparseTail(float[] v, MemorySegment meta, long metaBase, int fromGroup, int in, float[] x,
                                    int xo) {
        float s = 0;
        for (int g = fromGroup; g < in / 4; g++) {
            int nibble = (meta.get(ValueLayout.JAVA_BYTE, metaBase + g / 2) >>> ((g & 1) * 4)) & 0xF;
            s = Math.fma(v[2 * g], x[xo + 4 * g + (nibble & 3)], s);
            s = Math.fma(v[2 * g + 1], x[xo + 4 * g + (nibble >>> 2)], s);
        }
        return s;
    }

    /** For each lane, the index in the block's {@code 2 L} inputs of the kept value in that lane. */
    private static IntVector positions(MemorySegment meta, long metaBase, int block) {
        long at = metaBase + (long) block * (L / 4);
        int word = switch (L) {
            case 16 -> meta.get(LittleEndian.I32, at);
            case 8 -> meta.get(LittleEndian.I16, at) & 0xFFFF;
            default -> meta.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
        };
        return IntVector.broadcast(I, word).lanewise(VectorOperators.LSHR, SHIFTS).and(3).add(GROUP_START);
    }

    /** The inputs at {@code positions} among {@code x[off .. off + 2 L)}. */
    private static FloatVector select(IntVector positions, float[] x, int off) {
        IntVector lo = FloatVector.fromArray(F, x, off).reinterpretAsInts();
        IntVector hi = FloatVector.fromArray(F, x, off + L).reinterpretAsInts();
        return positions.selectFrom(lo, hi).reinterpretAsFloats();
    }

    private static float sparse1(float[] v, MemorySegment meta, long metaBase, int blocks, int in, float[] x,
                                 int xo) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int b = 0;
        for (; b + 2 <= blocks; b += 2) {
            a0 = FloatVector.fromArray(F, v, b * L).fma(select(positions(meta, metaBase, b), x, xo + 2 * L * b), a0);
            a1 = FloatVector.fromArray(F, v, (b + 1) * L)
                    .fma(select(positions(meta, metaBase, b + 1), x, xo + 2 * L * (b + 1)), a1);
        }
        if (b < blocks) {
            a0 = FloatVector.fromArray(F, v, b * L).fma(select(positions(meta, metaBase, b), x, xo + 2 * L * b), a0);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD) + sparseTail(v, meta, metaBase, blocks * L / 2, in, x, xo);
    }

    private static void sparse4(float[] v, MemorySegment meta, long metaBase, int blocks, int in, float[] x, int t,
                                float[] out) {
        int x0 = t * in;
        int x1 = x0 + in;
        int x2 = x1 + in;
        int x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            FloatVector wv = FloatVector.fromArray(F, v, b * L);
            IntVector pos = positions(meta, metaBase, b);
            int k = 2 * L * b;
            a0 = wv.fma(select(pos, x, x0 + k), a0);
            a1 = wv.fma(select(pos, x, x1 + k), a1);
            a2 = wv.fma(select(pos, x, x2 + k), a2);
            a3 = wv.fma(select(pos, x, x3 + k), a3);
        }
        int tail = blocks * L / 2;
        out[t] = a0.reduceLanes(VectorOperators.ADD) + sparseTail(v, meta, metaBase, tail, in, x, x0);
        out[t + 1] = a1.reduceLanes(VectorOperators.ADD) + sparseTail(v, meta, metaBase, tail, in, x, x1);
        out[t + 2] = a2.reduceLanes(VectorOperators.ADD) + sparseTail(v, meta, metaBase, tail, in, x, x2);
        out[t + 3] = a3.reduceLanes(VectorOperators.ADD) + sparseTail(v, meta, metaBase, tail, in, x, x3);
    }
}
