package dev.prune4j.testing;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A tiny LLaMA-shaped checkpoint for tests: Hugging Face tensor names, heavy-tailed weights, each
 * linear layer magnitude-pruned to a different sparsity so that plots and tables have something to show.
 */
public final class PrunedTinyLlama {
    private PrunedTinyLlama() {}

    public static List<Tensor> build(Arena arena, DType dtype, int layers, int hidden, int intermediate, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Tensor> out = new ArrayList<>();
        out.add(dense(arena, rnd, "model.embed_tokens.weight", dtype, 0.0, 256, hidden));
        String[] attn = {"q_proj", "k_proj", "v_proj", "o_proj"};
        String[] mlp = {"gate_proj", "up_proj", "down_proj"};
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            out.add(norm(arena, p + "input_layernorm.weight", dtype, hidden));
            for (int i = 0; i < attn.length; i++) {
                out.add(dense(arena, rnd, p + "self_attn." + attn[i] + ".weight", dtype, 0.3 + 0.1 * i + 0.05 * l,
                        hidden, hidden));
            }
            out.add(norm(arena, p + "post_attention_layernorm.weight", dtype, hidden));
            out.add(dense(arena, rnd, p + "mlp.gate_proj.weight", dtype, 0.5 + 0.1 * l, intermediate, hidden));
            out.add(dense(arena, rnd, p + "mlp.up_proj.weight", dtype, 0.5 + 0.1 * l, intermediate, hidden));
            out.add(dense(arena, rnd, p + "mlp." + mlp[2] + ".weight", dtype, 0.6 + 0.1 * l, hidden, intermediate));
        }
        out.add(norm(arena, "model.norm.weight", dtype, hidden));
        out.add(dense(arena, rnd, "lm_head.weight", dtype, 0.0, 256, hidden));
        return out;
    }

    /** Student-t-like weights (a Gaussian over a random scale), then the smallest {@code sparsity} zeroed. */
    private static Tensor dense(Arena arena, SplittableRandom rnd, String name, DType dtype, double sparsity,
                                long rows, long cols) {
        Tensor t = Tensor.allocate(arena, name, dtype, rows, cols);
        int n = (int) t.numel();
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double scale = 0.02 / Math.sqrt(Math.max(0.05, rnd.nextDouble()));
            v[i] = (float) (rnd.nextGaussian() * scale);
        }
        float[] sorted = new float[n];
        for (int i = 0; i < n; i++) {
            sorted[i] = Math.abs(v[i]);
        }
        java.util.Arrays.sort(sorted);
        int k = (int) Math.floor(Math.min(0.95, sparsity) * n);
        float cut = k == 0 ? -1f : sorted[k - 1];
        for (int i = 0; i < n; i++) {
            t.setFloat(i, Math.abs(v[i]) <= cut ? 0f : v[i]);
        }
        return t;
    }

    private static Tensor norm(Arena arena, String name, DType dtype, long hidden) {
        Tensor t = Tensor.allocate(arena, name, dtype, hidden);
        for (long i = 0; i < hidden; i++) {
            t.setFloat(i, 1.0f + 0.01f * (i % 7));
        }
        return t;
    }
}
