package dev.prune4j.synth;

import dev.prune4j.internal.json.Json;
import dev.prune4j.safetensors.TensorSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A LLaMA-shaped checkpoint with made-up but realistic weights: Hugging Face tensor names, and
 * values that are heavy-tailed as trained weights are (a Gaussian body whose scale varies from row
 * to row, plus rare large outliers), so magnitude pruning has something real to sort.
 *
 * <p>Values depend only on the seed, the tensor name and the element index (never on the number of
 * threads), so two runs produce identical files.
 */
public final class SyntheticLlama {
    /** Elements generated from one random stream; parallel fills split on these boundaries. */
    public static final int BLOCK = 1 << 16;

    private final LlamaShape shape;
    private final DType dtype;
    private final long seed;

    public SyntheticLlama(LlamaShape shape, DType dtype, long seed) {
        if (!dtype.prunable()) {
            throw new IllegalArgumentException("synthetic weights need F32, F16 or BF16, got " + dtype);
        }
        this.shape = shape;
        this.dtype = dtype;
        this.seed = seed;
    }

    public LlamaShape shape() {
        return shape;
    }

    /** The tensors in Hugging Face's order: embeddings, then per layer, then the final norm and head. */
    public List<TensorSpec> tensors() {
        List<TensorSpec> out = new ArrayList<>();
        int h = shape.hiddenSize();
        out.add(spec("model.embed_tokens.weight", shape.vocabSize(), h));
        for (int l = 0; l < shape.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            out.add(spec(p + "input_layernorm.weight", h));
            out.add(spec(p + "self_attn.q_proj.weight", h, h));
            out.add(spec(p + "self_attn.k_proj.weight", shape.kvDim(), h));
            out.add(spec(p + "self_attn.v_proj.weight", shape.kvDim(), h));
            out.add(spec(p + "self_attn.o_proj.weight", h, h));
            out.add(spec(p + "post_attention_layernorm.weight", h));
            out.add(spec(p + "mlp.gate_proj.weight", shape.intermediateSize(), h));
            out.add(spec(p + "mlp.up_proj.weight", shape.intermediateSize(), h));
            out.add(spec(p + "mlp.down_proj.weight", h, shape.intermediateSize()));
        }
        out.add(spec("model.norm.weight", h));
        out.add(spec("lm_head.weight", shape.vocabSize(), h));
        return out;
    }

    private TensorSpec spec(String name, long... dims) {
        return new TensorSpec(name, dtype, dims);
    }

    /** Hugging Face {@code config.json} for these dimensions. */
    public String configJson() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("LlamaForCausalLM"));
        c.put("model_type", "llama");
        c.put("hidden_size", shape.hiddenSize());
        c.put("intermediate_size", shape.intermediateSize());
        c.put("num_hidden_layers", shape.numLayers());
        c.put("num_attention_heads", shape.numHeads());
        c.put("num_key_value_heads", shape.numKeyValueHeads());
        c.put("vocab_size", shape.vocabSize());
        c.put("hidden_act", "silu");
        c.put("rms_norm_eps", 1e-5);
        c.put("max_position_embeddings", 4096);
        c.put("torch_dtype", switch (dtype) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        });
        c.put("prune4j_synthetic_seed", seed);
        return Json.writePretty(c);
    }

    /** Number of {@link #BLOCK}s in a tensor: the unit of parallel filling. */
    public static int blocks(long numel) {
        return (int) ((numel + BLOCK - 1) / BLOCK);
    }

    /** Fills block {@code b} of {@code t} (which must be a tensor of {@link #tensors()}). */
    public void fillBlock(Tensor t, int b) {
        long from = (long) b * BLOCK;
        long to = Math.min(t.numel(), from + BLOCK);
        SplittableRandom rnd = new SplittableRandom(mix(seed, t.name().hashCode(), b));
        boolean norm = t.rank() == 1;
        long cols = t.cols();
        double rowScale = 0;
        long row = -1;
        for (long i = from; i < to; i++) {
            float v;
            if (norm) {
                // RMSNorm gains sit around one.
                v = (float) (1.0 + 0.05 * rnd.nextGaussian());
            } else {
                if (i / cols != row) {
                    row = i / cols;
                    // The scale of a row depends only on the row, so it is the same in every block.
                    rowScale = 0.02 * Math.exp(0.25 * new SplittableRandom(mix(seed, t.name().hashCode(), -1 - row)).nextGaussian());
                }
                double x = rnd.nextGaussian() * rowScale;
                // Rare outliers, 10 to 60 times the row's scale, as trained LLM weights have.
                if (rnd.nextInt(2000) == 0) {
                    x = Math.copySign(rowScale * (10 + 50 * rnd.nextDouble()), x);
                }
                v = (float) x;
            }
            t.setFloat(i, v);
        }
    }

    private static long mix(long seed, long a, long b) {
        long h = seed * 0x9E3779B97F4A7C15L + a;
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L + b;
        return h ^ (h >>> 29);
    }
}
