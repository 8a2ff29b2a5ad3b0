package dev.prune4j.model.llama;

/**
 * The keys and values of every layer for the positions seen so far, so that generation computes
 * one new token at a time. Keys are stored transposed ({@code [kvHead][dim][position]}, positions
 * padded to a whole number of vectors), so that one query's scores against all positions are a sum
 * of contiguous rows; values are {@code [kvHead][position][dim]}. Not thread-safe: one sequence per
 * cache.
 */
public final class KvCache {
    final int capacity;
    /** Positions per key row: the capacity rounded up to a whole number of vectors. */
    final int stride;
    final int kvHeads;
    final int headDim;
    final float[][] keys;
    final float[][] values;
    private int length;

    KvCache(LlamaConfig config, int capacity) {
        if (capacity < 1 || capacity > config.maxPositions()) {
            throw new IllegalArgumentException("cache capacity " + capacity + " is outside [1, "
                    + config.maxPositions() + "], the model's context");
        }
        this.capacity = capacity;
        int l = CausalAttention.vectorLength();
        this.stride = (capacity + l - 1) / l * l;
        this.kvHeads = config.kvHeads();
        this.headDim = config.headDim();
        // Allocated on a layer's first put: a cache for one layer of sequential calibration
        // (LlamaModel.applyLayer) then costs one layer's memory, not the whole model's.
        this.keys = new float[config.layers()][];
        this.values = new float[config.layers()][];
    }

    /** Positions held. */
    public int length() {
        return length;
    }

    public int capacity() {
        return capacity;
    }

    /** Forgets every position, keeping the memory, to start a new sequence. */
    public void clear() {
        length = 0;
    }

    void requireRoom(int tokens) {
        if (length + tokens > capacity) {
            throw new IllegalStateException("the cache holds " + length + " of " + capacity + " positions; "
                    + tokens + " more do not fit");
        }
    }

    /** Stores rows {@code [0, tokens)} of {@code k} and {@code v} ({@code [tokens, kvHeads * headDim]}) at the next positions. */
    void put(int layer, float[] k, float[] v, int tokens) {
        if (keys[layer] == null) {
            keys[layer] = new float[kvHeads * headDim * stride];
            values[layer] = new float[kvHeads * stride * headDim];
        }
        float[] kc = keys[layer];
        float[] vc = values[layer];
        int width = kvHeads * headDim;
        for (int t = 0; t < tokens; t++) {
            int p = length + t;
            for (int h = 0; h < kvHeads; h++) {
                int src = t * width + h * headDim;
                for (int d = 0; d < headDim; d++) {
                    kc[(h * headDim + d) * stride + p] = k[src + d];
                }
                System.arraycopy(v, src, vc, (h * stride + p) * headDim, headDim);
            }
        }
    }

    void advance(int tokens) {
        length += tokens;
    }
}
