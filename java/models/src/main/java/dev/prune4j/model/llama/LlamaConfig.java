package dev.prune4j.model.llama;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.prune4j.gguf.GgufException;
import dev.prune4j.gguf.GgufMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a LLaMA-architecture decoder, as Hugging Face's {@code LlamaConfig} names it.
 *
 * @param hiddenSize        width of the residual stream (576 for SmolLM2-135M)
 * @param intermediateSize  width of the SwiGLU MLP
 * @param layers            decoder layers
 * @param heads             query heads
 * @param kvHeads           key/value heads (grouped-query attention: {@code heads / kvHeads} queries share one)
 * @param vocabSize         tokens in the vocabulary
 * @param maxPositions      the context length the model was trained for
 * @param rmsNormEps        epsilon inside the RMSNorms
 * @param ropeTheta         the RoPE base
 * @param tieWordEmbeddings whether the output projection is the embedding matrix
 * @param bosTokenId        beginning-of-sequence id (not added by the tokenizer)
 * @param eosTokenId        end-of-sequence id
 */
public record LlamaConfig(int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads, int vocabSize,
                          int maxPositions, double rmsNormEps, double ropeTheta, boolean tieWordEmbeddings,
                          int bosTokenId, int eosTokenId) {
    public LlamaConfig {
        if (hiddenSize < 1 || intermediateSize < 1 || layers < 1 || heads < 1 || kvHeads < 1 || vocabSize < 1
                || maxPositions < 1) {
            throw new IllegalArgumentException("sizes must be positive: " + this);
        }
        if (hiddenSize % heads != 0 || heads % kvHeads != 0 || (hiddenSize / heads) % 2 != 0) {
            throw new IllegalArgumentException("hidden size " + hiddenSize + ", " + heads + " heads and " + kvHeads
                    + " KV heads do not make whole, even-sized heads shared by whole groups");
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new IllegalArgumentException("rms_norm_eps and rope_theta must be positive: " + this);
        }
    }

    /** Width of one attention head. */
    public int headDim() {
        return hiddenSize / heads;
    }

    /** Width of the key and value projections. */
    public int kvDim() {
        return kvHeads * headDim();
    }

    /**
     * The config of a llama.cpp GGUF ({@code general.architecture = llama}). Tied embeddings are
     * not a metadata key: they are the absence of an {@code output.weight} tensor.
     */
    public static LlamaConfig fromGguf(GgufMetadata m, boolean tieWordEmbeddings) throws GgufException {
        String arch = m.string("general.architecture");
        if (!arch.equals("llama")) {
            throw new IllegalArgumentException("general.architecture is '" + arch + "'; only 'llama' is supported");
        }
        int hidden = m.intInRange("llama.embedding_length", 1, 1 << 20);
        int heads = m.intInRange("llama.attention.head_count", 1, 1 << 12);
        int vocab = m.contains("llama.vocab_size") ? m.intInRange("llama.vocab_size", 1, 1 << 24)
                : m.strings("tokenizer.ggml.tokens").size();
        LlamaConfig c = new LlamaConfig(hidden, m.intInRange("llama.feed_forward_length", 1, 1 << 22),
                m.intInRange("llama.block_count", 1, 1 << 12), heads,
                m.contains("llama.attention.head_count_kv") ? m.intInRange("llama.attention.head_count_kv", 1, heads) : heads,
                vocab, m.intInRange("llama.context_length", 1, 1 << 24),
                shortest(m.real("llama.attention.layer_norm_rms_epsilon")), shortest(m.real("llama.rope.freq_base", 10_000)),
                tieWordEmbeddings, (int) m.integer("tokenizer.ggml.bos_token_id", 1),
                (int) m.integer("tokenizer.ggml.eos_token_id", 2));
        if (m.contains("llama.rope.dimension_count") && m.integer("llama.rope.dimension_count") != c.headDim()) {
            throw new IllegalArgumentException("llama.rope.dimension_count = " + m.integer("llama.rope.dimension_count")
                    + " rotates part of each head of " + c.headDim() + "; only full rotation is supported");
        }
        if (m.contains("llama.rope.scaling.type") && !m.string("llama.rope.scaling.type").equals("none")) {
            throw new IllegalArgumentException("RoPE scaling '" + m.string("llama.rope.scaling.type")
                    + "' is not supported");
        }
        return c;
    }

    /** GGUF stores these as FLOAT32: 1e-5 reads as 9.999999747378752e-06; keep float's shortest decimal. */
    private static double shortest(double float32) {
        return Double.parseDouble(Float.toString((float) float32));
    }

    /** Reads a Hugging Face {@code config.json} of {@code model_type} llama. */
    public static LlamaConfig fromJson(Path file) throws IOException {
        Map<String, Object> j = JSON.std.mapFrom(Files.readString(file));
        if (!"llama".equals(j.get("model_type"))) {
            throw new IOException(file + ": model_type is " + j.get("model_type") + ", not llama");
        }
        if (j.get("rope_scaling") != null) {
            throw new IOException(file + ": rope_scaling " + j.get("rope_scaling") + " is not supported");
        }
        for (String flag : List.of("attention_bias", "mlp_bias")) {
            if (Boolean.TRUE.equals(j.get(flag))) {
                throw new IOException(file + ": " + flag + " is true; only bias-free LLaMA layers are supported");
            }
        }
        if (j.get("hidden_act") != null && !"silu".equals(j.get("hidden_act"))) {
            throw new IOException(file + ": hidden_act " + j.get("hidden_act") + " is not supported (silu only)");
        }
        int hidden = integer(file, j, "hidden_size");
        int heads = integer(file, j, "num_attention_heads");
        if (j.get("head_dim") != null && integer(file, j, "head_dim") != hidden / heads) {
            throw new IOException(file + ": head_dim " + j.get("head_dim") + " is not hidden_size / num_attention_heads");
        }
        try {
            return new LlamaConfig(hidden, integer(file, j, "intermediate_size"), integer(file, j, "num_hidden_layers"),
                    heads, j.get("num_key_value_heads") == null ? heads : integer(file, j, "num_key_value_heads"),
                    integer(file, j, "vocab_size"), integer(file, j, "max_position_embeddings"),
                    number(file, j, "rms_norm_eps"), j.get("rope_theta") == null ? 10_000 : number(file, j, "rope_theta"),
                    Boolean.TRUE.equals(j.get("tie_word_embeddings")), // transformers' default is false
                    j.get("bos_token_id") == null ? 1 : integer(file, j, "bos_token_id"),
                    j.get("eos_token_id") == null ? 2 : integer(file, j, "eos_token_id"));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static int integer(Path file, Map<String, Object> j, String key) throws IOException {
        if (!(j.get(key) instanceof Number n) || n.doubleValue() != n.intValue()) {
            throw new IOException(file + ": \"" + key + "\" is missing or not an integer: " + j.get(key));
        }
        return n.intValue();
    }

    private static double number(Path file, Map<String, Object> j, String key) throws IOException {
        if (!(j.get(key) instanceof Number n)) {
            throw new IOException(file + ": \"" + key + "\" is missing or not a number: " + j.get(key));
        }
        return n.doubleValue();
    }

    /** The {@code config.json} that {@code transformers} loads as {@code LlamaForCausalLM}. */
    public Map<String, Object> toJson(String torchDtype) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("architectures", List.of("LlamaForCausalLM"));
        j.put("model_type", "llama");
        j.put("attention_bias", false);
        j.put("attention_dropout", 0.0);
        j.put("bos_token_id", bosTokenId);
        j.put("eos_token_id", eosTokenId);
        j.put("head_dim", headDim());
        j.put("hidden_act", "silu");
        j.put("hidden_size", hiddenSize);
        j.put("intermediate_size", intermediateSize);
        j.put("max_position_embeddings", maxPositions);
        j.put("mlp_bias", false);
        j.put("num_attention_heads", heads);
        j.put("num_hidden_layers", layers);
        j.put("num_key_value_heads", kvHeads);
        j.put("rms_norm_eps", rmsNormEps);
        j.put("rope_scaling", null);
        j.put("rope_theta", ropeTheta);
        j.put("tie_word_embeddings", tieWordEmbeddings);
        j.put("torch_dtype", torchDtype);
        j.put("use_cache", true);
        j.put("vocab_size", vocabSize);
        return j;
    }
}
