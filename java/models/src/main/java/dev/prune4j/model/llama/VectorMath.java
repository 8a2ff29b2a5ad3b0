package dev.prune4j.model.llama;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The element-wise kernels of the decoder on the Vector API (exp through the JDK's vector math
 * library): softmax pieces, residual sums, RMSNorm's sum of squares, SiLU. Kept in one class so that only
 * it loads the incubating API.
 */
final class VectorMath {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorMath() {}

    /** The largest of {@code x[from, from + n)}, n > 0. */
    static float max(float[] x, int from, int n) {
        int i = 0;
        float m = Float.NEGATIVE_INFINITY;
        if (n >= L) {
            FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int bound = S.loopBound(n); i < bound; i += L) {
                mv = mv.max(FloatVector.fromArray(S, x, from + i));
            }
            m = mv.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            m = Math.max(m, x[from + i]);
        }
        return m;
    }

    /** Replaces {@code x[from, from + n)} by {@code exp(x - shift)} and returns their sum. */
    static float expShifted(float[] x, int from, int n, float shift) {
        FloatVector sv = FloatVector.broadcast(S, shift);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector e = FloatVector.fromArray(S, x, from + i).sub(sv).lanewise(VectorOperators.EXP);
            e.intoArray(x, from + i);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[from + i] - shift);
            x[from + i] = e;
            sum += e;
        }
        return sum;
    }

    /** {@code sum(exp(x - shift))} over {@code x[from, from + n)}, in double, leaving x as is. */
    static double sumExpShifted(float[] x, int from, int n, float shift) {
        FloatVector sv = FloatVector.broadcast(S, shift);
        double sum = 0;
        int i = 0;
        // Partial float sums over short runs, then double: accurate for vocabulary-wide sums.
        while (i + L <= n) {
            FloatVector acc = FloatVector.zero(S);
            int end = Math.min(n - L + 1, i + 64 * L);
            for (; i < end; i += L) {
                acc = acc.add(FloatVector.fromArray(S, x, from + i).sub(sv).lanewise(VectorOperators.EXP));
            }
            sum += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum += Math.exp(x[from + i] - shift);
        }
        return sum;
    }

    /** {@code x[from, from + n) *= a}. */
    static void scale(float[] x, int from, int n, float a) {
        FloatVector av = FloatVector.broadcast(S, a);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, from + i).mul(av).intoArray(x, from + i);
        }
        for (; i < n; i++) {
            x[from + i] *= a;
        }
    }

    /** {@code y[i] += x[i]} over {@code [from, from + n)}. */
    static void add(float[] x, float[] y, int from, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, y, from + i).add(FloatVector.fromArray(S, x, from + i)).intoArray(y, from + i);
        }
        for (; i < n; i++) {
            y[from + i] += x[from + i];
        }
    }

    /** {@code gate[i] = silu(gate[i]) * up[i]} with {@code silu(g) = g / (1 + exp(-g))}, as PyTorch computes it. */
    static void siluTimes(float[] gate, float[] up, int from, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(S, gate, from + i);
            FloatVector silu = g.div(one.add(g.neg().lanewise(VectorOperators.EXP)));
            silu.mul(FloatVector.fromArray(S, up, from + i)).intoArray(gate, from + i);
        }
        for (; i < n; i++) {
            float g = gate[from + i];
            gate[from + i] = (float) (g / (1 + Math.exp(-g))) * up[from + i];
        }
    }

    /** {@code sum(x[i]^2)} over {@code [from, from + n)}, in double. */
    static double sumOfSquares(float[] x, int from, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, from + i);
            acc = v.fma(v, acc);
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += (double) x[from + i] * x[from + i];
        }
        return sum;
    }
}
