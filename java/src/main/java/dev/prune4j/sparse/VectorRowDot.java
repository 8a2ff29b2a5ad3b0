package dev.prune4j.sparse;

import dev.prune4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row kernels on the Vector API (kept in their own class so that nothing else loads
 * {@code jdk.incubator.vector}). Weights are widened to F32 in registers, never copied.
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
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final float TWO_POW_112 = 0x1p112f;
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

    /** {@code L} weights starting at element {@code i}, widened to F32. */
    private static FloatVector load(MemorySegment seg, DType dtype, long i) {
        return switch (dtype) {
            case F32 -> FloatVector.fromMemorySegment(F, seg, i * 4, LE);
            case BF16 -> shorts(seg, i).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            case F16 -> f16ToF32(shorts(seg, i));
            default -> throw new IllegalArgumentException("no GEMM for dtype " + dtype);
        };
    }

    /** {@code L} 16-bit elements from element {@code i}, sign-extended to ints. */
    private static IntVector shorts(MemorySegment seg, long i) {
        return (IntVector) ShortVector.fromMemorySegment(S, seg, i * 2, LE).convertShape(VectorOperators.S2I, I, 0);
    }

    /**
     * IEEE half to float, exact: the 15 magnitude bits moved to the float's exponent and mantissa
     * and scaled by 2^112 fix the exponent bias for normal and subnormal halves alike; infinities
     * and NaNs (exponent 31) get the float's all-ones exponent instead.
     */
    private static FloatVector f16ToF32(IntVector h) {
        IntVector magnitude = h.and(0x7FFF);
        IntVector moved = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = moved.reinterpretAsFloats().mul(TWO_POW_112).reinterpretAsInts();
        IntVector bits = finite.blend(moved.or(0x7F80_0000), magnitude.compare(VectorOperators.GE, 0x7C00));
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    // ---- dense ----

    @Override
    public void dense(MemorySegment w, DType dtype, int row, int in, float[] x, int tokens, float[] out) {
        long base = (long) row * in;
        int t = 0;
        for (; t + 4 <= tokens; t += 4) {
            dense4(w, dtype, base, in, x, t, out);
        }
        for (; t < tokens; t++) {
            out[t] = dense1(w, dtype, base, in, x, t * in);
        }
    }

    private static float dense1(MemorySegment w, DType dtype, long base, int in, float[] x, int xo) {
        // Two accumulators: the FMA latency chain, not the loads, would bound one.
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int k = 0;
        for (; k <= in - 2 * L; k += 2 * L) {
            a0 = load(w, dtype, base + k).fma(FloatVector.fromArray(F, x, xo + k), a0);
            a1 = load(w, dtype, base + k + L).fma(FloatVector.fromArray(F, x, xo + k + L), a1);
        }
        if (k <= in - L) {
            a0 = load(w, dtype, base + k).fma(FloatVector.fromArray(F, x, xo + k), a0);
            k += L;
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD) + ScalarRowDot.denseTail(w, dtype, base, k, in, x, xo);
    }

    private static void dense4(MemorySegment w, DType dtype, long base, int in, float[] x, int t, float[] out) {
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
            FloatVector wv = load(w, dtype, base + k);
            a0 = wv.fma(FloatVector.fromArray(F, x, x0 + k), a0);
            a1 = wv.fma(FloatVector.fromArray(F, x, x1 + k), a1);
            a2 = wv.fma(FloatVector.fromArray(F, x, x2 + k), a2);
            a3 = wv.fma(FloatVector.fromArray(F, x, x3 + k), a3);
        }
        out[t] = a0.reduceLanes(VectorOperators.ADD) + ScalarRowDot.denseTail(w, dtype, base, k, in, x, x0);
        out[t + 1] = a1.reduceLanes(VectorOperators.ADD) + ScalarRowDot.denseTail(w, dtype, base, k, in, x, x1);
        out[t + 2] = a2.reduceLanes(VectorOperators.ADD) + ScalarRowDot.denseTail(w, dtype, base, k, in, x, x2);
        out[t + 3] = a3.reduceLanes(VectorOperators.ADD) + ScalarRowDot.denseTail(w, dtype, base, k, in, x, x3);
    }

    // ---- 2:4 ----

    @Override
    public void sparse(MemorySegment values, MemorySegment meta, DType dtype, int row, int in, float[] x, int tokens,
                       float[] out) {
        long valueBase = (long) row * (in / 2);
        long metaBase = (long) row * Sparse24.metaBytesPerRow(in);
        int blocks = in / (2 * L);
        int t = 0;
        for (; t + 4 <= tokens; t += 4) {
            sparse4(values, meta, dtype, row, valueBase, metaBase, blocks, in, x, t, out);
        }
        for (; t < tokens; t++) {
            out[t] = sparse1(values, meta, dtype, row, valueBase, metaBase, blocks, in, x, t * in);
        }
    }

    /** For each lane, the index in the block's {@code 2 L} inputs of the kept value in that lane. */
    private static IntVector positions(MemorySegment meta, long metaBase, int block) {
        long at = metaBase + (long) block * (L / 4);
        int word = switch (L) {
            case 16 -> meta.get(Sparse24.I32, at);
            case 8 -> meta.get(Sparse24.I16, at) & 0xFFFF;
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

    private static float sparse1(MemorySegment values, MemorySegment meta, DType dtype, int row, long valueBase,
                                 long metaBase, int blocks, int in, float[] x, int xo) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int b = 0;
        for (; b + 2 <= blocks; b += 2) {
            FloatVector w0 = load(values, dtype, valueBase + (long) b * L);
            a0 = w0.fma(select(positions(meta, metaBase, b), x, xo + 2 * L * b), a0);
            FloatVector w1 = load(values, dtype, valueBase + (long) (b + 1) * L);
            a1 = w1.fma(select(positions(meta, metaBase, b + 1), x, xo + 2 * L * (b + 1)), a1);
        }
        if (b < blocks) {
            FloatVector w0 = load(values, dtype, valueBase + (long) b * L);
            a0 = w0.fma(select(positions(meta, metaBase, b), x, xo + 2 * L * b), a0);
        }
        return a0.add(a1).reduceLanes(VectorOperators.ADD)
                + ScalarRowDot.sparseTail(values, meta, dtype, row, blocks * L / 2, in, x, xo);
    }

    private static void sparse4(MemorySegment values, MemorySegment meta, DType dtype, int row, long valueBase,
                                long metaBase, int blocks, int in, float[] x, int t, float[] out) {
        int x0 = t * in;
        int x1 = x0 + in;
        int x2 = x1 + in;
        int x3 = x2 + in;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            FloatVector wv = load(values, dtype, valueBase + (long) b * L);
            IntVector pos = positions(meta, metaBase, b);
            int k = 2 * L * b;
            a0 = wv.fma(select(pos, x, x0 + k), a0);
            a1 = wv.fma(select(pos, x, x1 + k), a1);
            a2 = wv.fma(select(pos, x, x2 + k), a2);
            a3 = wv.fma(select(pos, x, x3 + k), a3);
        }
        int tailGroup = blocks * L / 2;
        out[t] = a0.reduceLanes(VectorOperators.ADD)
                + ScalarRowDot.sparseTail(values, meta, dtype, row, tailGroup, in, x, x0);
        out[t + 1] = a1.reduceLanes(VectorOperators.ADD)
                + ScalarRowDot.sparseTail(values, meta, dtype, row, tailGroup, in, x, x1);
        out[t + 2] = a2.reduceLanes(VectorOperators.ADD)
                + ScalarRowDot.sparseTail(values, meta, dtype, row, tailGroup, in, x, x2);
        out[t + 3] = a3.reduceLanes(VectorOperators.ADD)
                + ScalarRowDot.sparseTail(values, meta, dtype, row, tailGroup, in, x, x3);
    }
}
