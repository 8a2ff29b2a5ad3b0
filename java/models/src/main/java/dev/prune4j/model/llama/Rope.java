package dev.prune4j.model.llama;

/**
 * Rotary position embedding in Hugging Face's "rotate half" convention: in each head, dimension
 * {@code i < d/2} and dimension {@code i + d/2} turn together by the angle
 * {@code position * theta^(-2i/d)}:
 * <pre>
 *   x'[i]       = x[i] cos - x[i + d/2] sin
 *   x'[i + d/2] = x[i + d/2] cos + x[i] sin
 * </pre>
 * Frequencies and angles are computed in float, in the order {@code LlamaRotaryEmbedding} does,
 * so that angles at position 500 agree with PyTorch's to the last bit rather than to 1e-5.
 * The cos/sin table grows on demand to the highest position asked for.
 */
final class Rope {
    private final int headDim;
    private final int half;
    private final float[] invFreq;
    private volatile float[][] table = {new float[0], new float[0]}; // cos, sin: [position][half]

    Rope(int headDim, double theta) {
        this.headDim = headDim;
        this.half = headDim / 2;
        this.invFreq = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            invFreq[i] = 1.0f / (float) Math.pow(theta, exponent);
        }
    }

    private float[][] table(int positions) {
        float[][] t = table;
        if (t[0].length >= positions * half) {
            return t;
        }
        synchronized (this) {
            t = table;
            int have = t[0].length / half;
            if (have >= positions) {
                return t;
            }
            int size = Math.max(positions, Math.min(Integer.MAX_VALUE / half, 2 * have));
            float[] cos = java.util.Arrays.copyOf(t[0], size * half);
            float[] sin = java.util.Arrays.copyOf(t[1], size * half);
            for (int p = have; p < size; p++) {
                for (int i = 0; i < half; i++) {
                    float angle = invFreq[i] * (float) p;
                    cos[p * half + i] = (float) Math.cos(angle);
                    sin[p * half + i] = (float) Math.sin(angle);
                }
            }
            table = new float[][] {cos, sin};
            return table;
        }
    }

    /**
     * Rotates rows {@code [fromToken, toToken)} of {@code x}, a {@code [tokens, heads * headDim]}
     * array whose row {@code t} sits at position {@code firstPosition + t}.
     */
    void apply(float[] x, int heads, int fromToken, int toToken, int firstPosition) {
        float[][] t = table(firstPosition + toToken);
        float[] cos = t[0];
        float[] sin = t[1];
        int width = heads * headDim;
        for (int token = fromToken; token < toToken; token++) {
            int p = (firstPosition + token) * half;
            for (int h = 0; h < heads; h++) {
                int base = token * width + h * headDim;
                for (int i = 0; i < half; i++) {
                    float a = x[base + i];
                    float b = x[base + i + half];
                    float c = cos[p + i];
                    float s = sin[p + i];
                    x[base + i] = a * c + -b * s;
                    x[base + i + half] = b * c + a * s;
                }
            }
        }
    }
}
