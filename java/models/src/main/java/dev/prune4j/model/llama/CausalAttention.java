package dev.prune4j.model.llama;

import dev.prune4j.engine.cpu.CpuEngine;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention over a {@link KvCache}: query head {@code h} reads key/value head
 * {@code h / (heads / kvHeads)}; the query at position {@code p} sees positions {@code 0..p}.
 * {@code out = softmax(q k^T / sqrt(d)) v} per head, in float, as PyTorch's attention computes it.
 *
 * <p>Work is split into (head, block of queries) tasks, and inside a task four queries go
 * together, so each vector of keys or values loaded feeds four fused multiply-adds: the scores of
 * sixteen keys accumulate in a register over the head's dimensions (keys are stored transposed),
 * and the output accumulates value rows weighted by the probabilities. Positions past a query's
 * own get probability zero, which is the causal mask.
 */
final class CausalAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Queries per task: enough work per task, and tasks enough to balance the causal triangle. */
    static final int QUERY_BLOCK = 16;
    /** Queries that share each load. */
    private static final int GROUP = 4;

    private final int heads;
    private final int headDim;
    private final int group;
    private final float scale;

    CausalAttention(LlamaConfig config) {
        this.heads = config.heads();
        this.headDim = config.headDim();
        this.group = config.heads() / config.kvHeads();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /** Positions a vector covers; the cache pads its stride to a multiple of it. */
    static int vectorLength() {
        return S.length();
    }

    /**
     * Attention of the {@code tokens} queries in {@code q} ({@code [tokens, heads * d]}, query
     * {@code t} at position {@code firstPosition + t}) into {@code out}, same shape. The cache
     * must already hold the keys and values of positions {@code 0 .. firstPosition + tokens - 1}.
     */
    void apply(CpuEngine engine, float[] q, KvCache cache, int layer, int tokens, int firstPosition, float[] out) {
        int blocks = (tokens + QUERY_BLOCK - 1) / QUERY_BLOCK;
        float[] keys = cache.keys[layer];
        float[] values = cache.values[layer];
        int stride = cache.stride;
        engine.parallelFor(heads * blocks, task -> {
            int h = task % heads;
            int block = task / heads;
            int kvh = h / group;
            float[] scores = new float[GROUP * stride];
            float[] scaled = new float[GROUP * headDim];
            for (int t = block * QUERY_BLOCK, end = Math.min(tokens, t + QUERY_BLOCK); t < end; t += GROUP) {
                int count = Math.min(GROUP, end - t);
                queries(q, t, count, h, scaled);
                int keysSeen = firstPosition + t + count;
                scores(scaled, keys, kvh * headDim * stride, stride, keysSeen, scores);
                for (int r = 0; r < GROUP; r++) {
                    // Query r sees positions up to its own; the rest of the row becomes probability 0.
                    int n = firstPosition + t + Math.min(r, count - 1) + 1;
                    softmax(scores, r * stride, n, keysSeen);
                }
                context(scores, stride, values, kvh * stride * headDim, keysSeen, out, t, count, h);
            }
        });
    }

    /** Copies {@code count} query rows of head {@code h}, times the scale, repeating the last to fill four. */
    private void queries(float[] q, int t, int count, int h, float[] scaled) {
        int width = heads * headDim;
        for (int r = 0; r < GROUP; r++) {
            int src = (t + Math.min(r, count - 1)) * width + h * headDim;
            for (int c = 0; c < headDim; c++) {
                scaled[r * headDim + c] = q[src + c] * scale;
            }
        }
    }

    /** {@code scores[r][j] = sum_c q[r][c] * keysT[c][j]} for j below {@code n} rounded up to a vector. */
    private void scores(float[] q, float[] keys, int kOff, int stride, int n, float[] scores) {
        int d = headDim;
        for (int j = 0; j < n; j += S.length()) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            for (int c = 0; c < d; c++) {
                FloatVector k = FloatVector.fromArray(S, keys, kOff + c * stride + j);
                a0 = k.fma(FloatVector.broadcast(S, q[c]), a0);
                a1 = k.fma(FloatVector.broadcast(S, q[d + c]), a1);
                a2 = k.fma(FloatVector.broadcast(S, q[2 * d + c]), a2);
                a3 = k.fma(FloatVector.broadcast(S, q[3 * d + c]), a3);
            }
            a0.intoArray(scores, j);
            a1.intoArray(scores, stride + j);
            a2.intoArray(scores, 2 * stride + j);
            a3.intoArray(scores, 3 * stride + j);
        }
    }

    /** Softmax of {@code scores[off, off + n)} in place; {@code [off + n, off + upTo)} set to 0. */
    private static void softmax(float[] scores, int off, int n, int upTo) {
        float max = VectorMath.max(scores, off, n);
        float inv = 1f / VectorMath.expShifted(scores, off, n, max);
        VectorMath.scale(scores, off, n, inv);
        java.util.Arrays.fill(scores, off + n, off + upTo, 0f);
    }

    /** {@code out[t + r] = sum_j p[r][j] * v[j]} for the {@code count} real queries. */
    private void context(float[] p, int stride, float[] values, int vOff, int n, float[] out, int t, int count, int h) {
        int d = headDim;
        int width = heads * d;
        int L = S.length();
        int vectorDims = d - d % L;
        for (int c = 0; c < vectorDims; c += L) {
            FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S);
            FloatVector a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
            for (int j = 0; j < n; j++) {
                FloatVector v = FloatVector.fromArray(S, values, vOff + j * d + c);
                a0 = v.fma(FloatVector.broadcast(S, p[j]), a0);
                a1 = v.fma(FloatVector.broadcast(S, p[stride + j]), a1);
                a2 = v.fma(FloatVector.broadcast(S, p[2 * stride + j]), a2);
                a3 = v.fma(FloatVector.broadcast(S, p[3 * stride + j]), a3);
            }
            int o = t * width + h * d + c;
            a0.intoArray(out, o);
            if (count > 1) {
                a1.intoArray(out, o + width);
            }
            if (count > 2) {
                a2.intoArray(out, o + 2 * width);
            }
            if (count > 3) {
                a3.intoArray(out, o + 3 * width);
            }
        }
        for (int c = vectorDims; c < d; c++) {
            for (int r = 0; r < count; r++) {
                float sum = 0;
                for (int j = 0; j < n; j++) {
                    sum = Math.fma(p[r * stride + j], values[vOff + j * d + c], sum);
                }
                out[(t + r) * width + h * d + c] = sum;
            }
        }
    }
}
