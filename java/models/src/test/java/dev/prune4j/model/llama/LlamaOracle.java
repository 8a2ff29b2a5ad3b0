package dev.prune4j.model.llama;

import java.util.Map;

/**
 * The LLaMA forward pass written as plainly as possible in double precision, straight from the
 * definitions (Hugging Face's {@code modeling_llama.py}): the oracle the F32 implementation is
 * checked against on random weights.
 */
final class LlamaOracle {
    private final LlamaConfig c;
    private final Map<String, float[]> w;

    LlamaOracle(TinyLlama model) {
        this.c = model.config;
        this.w = model.weights;
    }

    /** Logits {@code [tokens][vocab]} of every position. */
    double[][] logits(int[] tokens) {
        double[][] h = finalHidden(tokens);
        double[][] out = new double[tokens.length][];
        for (int t = 0; t < tokens.length; t++) {
            out[t] = matvec(w.get(LlamaTensorNames.EMBEDDING), c.vocabSize(), c.hiddenSize(), h[t]);
        }
        return out;
    }

    /** Hidden states after the final norm. */
    double[][] finalHidden(int[] tokens) {
        double[][] h = new double[tokens.length][];
        for (int t = 0; t < tokens.length; t++) {
            h[t] = new double[c.hiddenSize()];
            for (int i = 0; i < c.hiddenSize(); i++) {
                h[t][i] = w.get(LlamaTensorNames.EMBEDDING)[tokens[t] * c.hiddenSize() + i];
            }
        }
        for (int l = 0; l < c.layers(); l++) {
            layer(l, h);
        }
        for (int t = 0; t < tokens.length; t++) {
            h[t] = rmsNorm(h[t], w.get(LlamaTensorNames.FINAL_NORM));
        }
        return h;
    }

    void layer(int l, double[][] h) {
        String p = LlamaTensorNames.layerPrefix(l);
        int n = h.length;
        int hid = c.hiddenSize();
        int d = c.headDim();
        double[][] q = new double[n][], k = new double[n][], v = new double[n][];
        for (int t = 0; t < n; t++) {
            double[] x = rmsNorm(h[t], w.get(p + "input_layernorm.weight"));
            q[t] = rope(matvec(w.get(p + "self_attn.q_proj.weight"), hid, hid, x), c.heads(), t);
            k[t] = rope(matvec(w.get(p + "self_attn.k_proj.weight"), c.kvDim(), hid, x), c.kvHeads(), t);
            v[t] = matvec(w.get(p + "self_attn.v_proj.weight"), c.kvDim(), hid, x);
        }
        for (int t = 0; t < n; t++) {
            double[] context = new double[hid];
            for (int head = 0; head < c.heads(); head++) {
                int kvh = head / (c.heads() / c.kvHeads());
                double[] scores = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= t; j++) {
                    double s = 0;
                    for (int i = 0; i < d; i++) {
                        s += q[t][head * d + i] * k[j][kvh * d + i];
                    }
                    scores[j] = s / Math.sqrt(d);
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j <= t; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int j = 0; j <= t; j++) {
                    for (int i = 0; i < d; i++) {
                        context[head * d + i] += scores[j] / sum * v[j][kvh * d + i];
                    }
                }
            }
            double[] o = matvec(w.get(p + "self_attn.o_proj.weight"), hid, hid, context);
            for (int i = 0; i < hid; i++) {
                h[t][i] += o[i];
            }
        }
        int inter = c.intermediateSize();
        for (int t = 0; t < n; t++) {
            double[] x = rmsNorm(h[t], w.get(p + "post_attention_layernorm.weight"));
            double[] gate = matvec(w.get(p + "mlp.gate_proj.weight"), inter, hid, x);
            double[] up = matvec(w.get(p + "mlp.up_proj.weight"), inter, hid, x);
            for (int i = 0; i < inter; i++) {
                gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
            }
            double[] down = matvec(w.get(p + "mlp.down_proj.weight"), hid, inter, gate);
            for (int i = 0; i < hid; i++) {
                h[t][i] += down[i];
            }
        }
    }

    /** Rotate-half RoPE at position {@code pos}, angles in double. */
    private double[] rope(double[] x, int heads, int pos) {
        int d = c.headDim();
        int half = d / 2;
        double[] out = x.clone();
        for (int head = 0; head < heads; head++) {
            for (int i = 0; i < half; i++) {
                double angle = pos * Math.pow(c.ropeTheta(), -2.0 * i / d);
                double a = x[head * d + i];
                double b = x[head * d + i + half];
                out[head * d + i] = a * Math.cos(angle) - b * Math.sin(angle);
                out[head * d + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
            }
        }
        return out;
    }

    double[] rmsNorm(double[] x, float[] weight) {
        double ms = 0;
        for (double v : x) {
            ms += v * v;
        }
        ms /= x.length;
        double inv = 1 / Math.sqrt(ms + c.rmsNormEps());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = weight[i] * x[i] * inv;
        }
        return out;
    }

    static double[] matvec(float[] m, int rows, int cols, double[] x) {
        double[] y = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int i = 0; i < cols; i++) {
                s += m[r * cols + i] * x[i];
            }
            y[r] = s;
        }
        return y;
    }
}
