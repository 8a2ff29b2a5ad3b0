package dev.prune4j.model.bert;

/**
 * The encoder's output for a batch: {@code states} is {@code [total tokens, hidden]} with sentence
 * {@code s} in rows {@code offsets[s]} (inclusive) to {@code offsets[s + 1]} (exclusive).
 */
public record HiddenStates(float[] states, int[] offsets, int hidden) {
    public int sentences() {
        return offsets.length - 1;
    }

    /**
     * Mean over each sentence's tokens, then L2 normalisation: sentence-transformers' mean
     * pooling followed by its {@code Normalize} module ({@code x / max(|x|, 1e-12)}).
     */
    public float[][] meanPooledNormalized() {
        return pooled(true);
    }

    /** Mean over each sentence's tokens (sentence-transformers' mean pooling). */
    public float[][] meanPooled() {
        return pooled(false);
    }

    private float[][] pooled(boolean normalize) {
        float[][] out = new float[sentences()][hidden];
        for (int s = 0; s < sentences(); s++) {
            double[] sum = new double[hidden];
            for (int t = offsets[s]; t < offsets[s + 1]; t++) {
                for (int i = 0; i < hidden; i++) {
                    sum[i] += states[t * hidden + i];
                }
            }
            int count = offsets[s + 1] - offsets[s];
            double norm = 0;
            for (int i = 0; i < hidden; i++) {
                sum[i] /= count;
                norm += sum[i] * sum[i];
            }
            double inv = normalize ? 1.0 / Math.max(Math.sqrt(norm), 1e-12) : 1.0;
            for (int i = 0; i < hidden; i++) {
                out[s][i] = (float) (sum[i] * inv);
            }
        }
        return out;
    }
}
