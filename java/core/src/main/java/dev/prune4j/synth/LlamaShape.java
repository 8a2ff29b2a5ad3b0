package dev.prune4j.synth;

import java.util.Locale;

/** The dimensions of a LLaMA-family model (Hugging Face {@code LlamaConfig} names). */
public record LlamaShape(String name, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
        int numKeyValueHeads, int vocabSize) {

    /** About 4 MB in F16 with two layers: for tests and demos. */
    public static final LlamaShape TINY = new LlamaShape("tiny", 256, 688, 2, 4, 4, 1024);
    public static final LlamaShape LLAMA_7B = new LlamaShape("llama-7b", 4096, 11008, 32, 32, 32, 32000);
    public static final LlamaShape LLAMA_13B = new LlamaShape("llama-13b", 5120, 13824, 40, 40, 40, 32000);
    public static final LlamaShape LLAMA_70B = new LlamaShape("llama-70b", 8192, 28672, 80, 64, 8, 32000);

    public static LlamaShape named(String model) {
        return switch (model.toLowerCase(Locale.ROOT)) {
            case "tiny" -> TINY;
            case "llama-7b" -> LLAMA_7B;
            case "llama-13b" -> LLAMA_13B;
            case "llama-70b" -> LLAMA_70B;
            default -> throw new IllegalArgumentException(
                    "unknown model '" + model + "' (expected tiny, llama-7b, llama-13b or llama-70b)");
        };
    }

    /** More decoder layers than any released LLaMA-family model has (405B: 126), by a wide margin. */
    public static final int MAX_LAYERS = 1024;

    public LlamaShape withLayers(int layers) {
        if (layers < 1 || layers > MAX_LAYERS) {
            throw new IllegalArgumentException("layers must be in [1, " + MAX_LAYERS + "], got " + layers);
        }
        return new LlamaShape(name, hiddenSize, intermediateSize, layers, numHeads, numKeyValueHeads, vocabSize);
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Output features of k_proj and v_proj (fewer than q_proj under grouped-query attention). */
    public int kvDim() {
        return numKeyValueHeads * headDim();
    }
}
