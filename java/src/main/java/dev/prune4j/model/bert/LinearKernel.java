package dev.prune4j.model.bert;

import dev.prune4j.engine.CpuEngine;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code Y = X W^T + b} on the CPU with the Vector API. Kept in its own class so that nothing else
 * loads the incubating Vector API.
 *
 * <p>X and Y are row-major float arrays ({@code [tokens, in]}, {@code [tokens, out]}); W is an F32
 * {@code [out, in]} segment (possibly memory-mapped and unaligned), b an F32 {@code [out]} segment
 * or {@code null}. The work is cut into tiles of tokens by output rows; inside a tile a 4-token by
 * 2-row block shares each load of W and X across eight fused multiply-adds.
 */
final class LinearKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final int TOKEN_TILE = 32;
    static final int ROW_TILE = 64;

    private LinearKernel() {}

    static void forward(CpuEngine engine, float[] x, int tokens, int in, MemorySegment w, int out,
                        MemorySegment bias, float[] y) {
        int tokenTiles = (tokens + TOKEN_TILE - 1) / TOKEN_TILE;
        int rowTiles = (out + ROW_TILE - 1) / ROW_TILE;
        engine.parallelFor(tokenTiles * rowTiles, task -> {
            int t0 = (task / rowTiles) * TOKEN_TILE;
            int o0 = (task % rowTiles) * ROW_TILE;
            tile(x, Math.min(tokens, t0 + TOKEN_TILE), t0, in, w, Math.min(out, o0 + ROW_TILE), o0, bias, y, out);
        });
    }

    private static void tile(float[] x, int tEnd, int t0, int in, MemorySegment w, int oEnd, int o0,
                             MemorySegment bias, float[] y, int out) {
        int t = t0;
        for (; t + 4 <= tEnd; t += 4) {
            int o = o0;
            for (; o + 2 <= oEnd; o += 2) {
                block4x2(x, t, in, w, o, y, out);
            }
            for (; o < oEnd; o++) {
                for (int k = 0; k < 4; k++) {
                    y[(t + k) * out + o] = dot(x, (t + k) * in, w, (long) o * in, in);
                }
            }
        }
        for (; t < tEnd; t++) {
            for (int o = o0; o < oEnd; o++) {
                y[t * out + o] = dot(x, t * in, w, (long) o * in, in);
            }
        }
        if (bias != null) {
            for (int tt = t0; tt < tEnd; tt++) {
                for (int o = o0; o < oEnd; o++) {
                    y[tt * out + o] += bias.getAtIndex(F32, o);
                }
            }
        }
    }

    private static void block4x2(float[] x, int t, int in, MemorySegment w, int o, float[] y, int out) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S);
        int x0 = t * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        long w0 = (long) o * in * 4, w1 = w0 + (long) in * 4;
        int bound = S.loopBound(in);
        int i = 0;
        for (; i < bound; i += S.length()) {
            FloatVector wv0 = FloatVector.fromMemorySegment(S, w, w0 + i * 4L, LE);
            FloatVector wv1 = FloatVector.fromMemorySegment(S, w, w1 + i * 4L, LE);
            FloatVector xv = FloatVector.fromArray(S, x, x0 + i);
            a00 = xv.fma(wv0, a00);
            a01 = xv.fma(wv1, a01);
            xv = FloatVector.fromArray(S, x, x1 + i);
            a10 = xv.fma(wv0, a10);
            a11 = xv.fma(wv1, a11);
            xv = FloatVector.fromArray(S, x, x2 + i);
            a20 = xv.fma(wv0, a20);
            a21 = xv.fma(wv1, a21);
            xv = FloatVector.fromArray(S, x, x3 + i);
            a30 = xv.fma(wv0, a30);
            a31 = xv.fma(wv1, a31);
        }
        float s00 = a00.reduceLanes(VectorOperators.ADD), s01 = a01.reduceLanes(VectorOperators.ADD);
        float s10 = a10.reduceLanes(VectorOperators.ADD), s11 = a11.reduceLanes(VectorOperators.ADD);
        float s20 = a20.reduceLanes(VectorOperators.ADD), s21 = a21.reduceLanes(VectorOperators.ADD);
        float s30 = a30.reduceLanes(VectorOperators.ADD), s31 = a31.reduceLanes(VectorOperators.ADD);
        for (; i < in; i++) {
            float wa = w.get(F32, w0 + i * 4L);
            float wb = w.get(F32, w1 + i * 4L);
            s00 += x[x0 + i] * wa;
            s01 += x[x0 + i] * wb;
            s10 += x[x1 + i] * wa;
            s11 += x[x1 + i] * wb;
            s20 += x[x2 + i] * wa;
            s21 += x[x2 + i] * wb;
            s30 += x[x3 + i] * wa;
            s31 += x[x3 + i] * wb;
        }
        y[t * out + o] = s00;
        y[t * out + o + 1] = s01;
        y[(t + 1) * out + o] = s10;
        y[(t + 1) * out + o + 1] = s11;
        y[(t + 2) * out + o] = s20;
        y[(t + 2) * out + o + 1] = s21;
        y[(t + 3) * out + o] = s30;
        y[(t + 3) * out + o + 1] = s31;
    }

    private static float dot(float[] x, int xOff, MemorySegment w, long wRow, int in) {
        FloatVector acc = FloatVector.zero(S);
        int bound = S.loopBound(in);
        int i = 0;
        for (; i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromMemorySegment(S, w, (wRow + i) * 4, LE), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < in; i++) {
            s += x[xOff + i] * w.getAtIndex(F32, wRow + i);
        }
        return s;
    }
}
