package dev.prune4j.model.bert;

import dev.prune4j.model.io.JsonFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The shape of a BERT encoder, read from a Hugging Face {@code config.json}. Only what this
 * forward pass implements is accepted: absolute positions and the exact GELU.
 */
public record BertConfig(int vocabSize, int hiddenSize, int layers, int heads, int intermediateSize,
                         int maxPositions, int typeVocabSize, double layerNormEps) {
    public BertConfig {
        if (hiddenSize <= 0 || heads <= 0 || hiddenSize % heads != 0) {
            throw new IllegalArgumentException("hidden size " + hiddenSize + " is not a positive multiple of "
                    + heads + " heads");
        }
        if (layers <= 0 || intermediateSize <= 0 || vocabSize <= 0 || maxPositions <= 0 || typeVocabSize <= 0) {
            throw new IllegalArgumentException("invalid BERT config: " + layers + " layers, intermediate size "
                    + intermediateSize + ", vocabulary " + vocabSize + ", " + maxPositions + " positions, "
                    + typeVocabSize + " token types");
        }
    }

    public int headSize() {
        return hiddenSize / heads;
    }

    /** Reads {@code config.json} of a model folder. */
    public static BertConfig load(Path modelDir) throws IOException {
        Path file = modelDir.resolve("config.json");
        Map<String, Object> c = JsonFiles.readObject(file);
        Object act = c.getOrDefault("hidden_act", "gelu");
        if (!"gelu".equals(act)) {
            throw new IOException(file + ": hidden_act '" + act + "' is not supported (only the exact \"gelu\")");
        }
        Object positions = c.getOrDefault("position_embedding_type", "absolute");
        if (!"absolute".equals(positions)) {
            throw new IOException(file + ": position_embedding_type '" + positions + "' is not supported");
        }
        try {
            return new BertConfig(integer(file, c, "vocab_size"), integer(file, c, "hidden_size"),
                    integer(file, c, "num_hidden_layers"), integer(file, c, "num_attention_heads"),
                    integer(file, c, "intermediate_size"), integer(file, c, "max_position_embeddings"),
                    integer(file, c, "type_vocab_size"), number(file, c, "layer_norm_eps"));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static int integer(Path file, Map<String, Object> c, String key) throws IOException {
        double v = number(file, c, key);
        if (v != Math.rint(v)) {
            throw new IOException(file + ": \"" + key + "\" is not a whole number: " + v);
        }
        return Math.toIntExact((long) v);
    }

    private static double number(Path file, Map<String, Object> c, String key) throws IOException {
        if (!(c.get(key) instanceof Number n)) {
            throw new IOException(file + ": \"" + key + "\" is missing or not a number");
        }
        return n.doubleValue();
    }
}
