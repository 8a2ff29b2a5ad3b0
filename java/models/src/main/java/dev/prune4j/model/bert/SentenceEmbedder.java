package dev.prune4j.model.bert;

import dev.prune4j.model.io.JsonFiles;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.safetensors.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sentence-transformers model folder ({@code Transformer -> Pooling(mean) [-> Normalize]}) run
 * in Java: tokenizer, BERT encoder, mean pooling over each sentence's tokens, L2 normalisation.
 * Weights stay memory-mapped until {@link #close()}.
 */
public final class SentenceEmbedder implements AutoCloseable {
    /** Sentences per forward pass: bounds the scratch memory, keeps every thread busy. */
    public static final int BATCH = 64;

    private final Path dir;
    private final Checkpoint checkpoint;
    private final BertTokenizer tokenizer;
    private final BertEncoder encoder;
    private final boolean normalize;
    private final CpuEngine engine;

    private SentenceEmbedder(Path dir, Checkpoint checkpoint, BertTokenizer tokenizer, BertEncoder encoder,
                             boolean normalize, CpuEngine engine) {
        this.dir = dir;
        this.checkpoint = checkpoint;
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.normalize = normalize;
        this.engine = engine;
    }

    /** Opens the sentence-transformers model in {@code dir} (config, tokenizer, safetensors weights). */
    public static SentenceEmbedder open(Path dir, CpuEngine engine) throws IOException {
        BertConfig config = BertConfig.load(dir);
        int maxLength = Math.min(config.maxPositions(), maxSeqLength(dir));
        BertTokenizer tokenizer = BertTokenizer.load(dir, maxLength);
        checkMeanPooling(dir);
        boolean normalize = hasNormalize(dir);
        Checkpoint checkpoint = Checkpoint.open(dir);
        try {
            return new SentenceEmbedder(dir, checkpoint, tokenizer, BertEncoder.load(checkpoint, config), normalize,
                    engine);
        } catch (IOException | RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    private static int maxSeqLength(Path dir) throws IOException {
        Path file = dir.resolve("sentence_bert_config.json");
        if (!Files.isRegularFile(file)) {
            return Integer.MAX_VALUE;
        }
        Object v = JsonFiles.readObject(file).get("max_seq_length");
        if (!(v instanceof Number n) || n.intValue() < 2) {
            throw new IOException(file + ": \"max_seq_length\" is missing or below 2");
        }
        return n.intValue();
    }

    private static void checkMeanPooling(Path dir) throws IOException {
        Path file = dir.resolve("1_Pooling").resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": missing; only sentence-transformers folders with mean pooling are supported");
        }
        Map<String, Object> c = JsonFiles.readObject(file);
        for (Map.Entry<String, Object> e : c.entrySet()) {
            if (e.getKey().startsWith("pooling_mode_") && Boolean.TRUE.equals(e.getValue())
                    && !e.getKey().equals("pooling_mode_mean_tokens")) {
                throw new IOException(file + ": " + e.getKey() + " is not supported, only mean pooling");
            }
        }
        if (!Boolean.TRUE.equals(c.get("pooling_mode_mean_tokens"))) {
            throw new IOException(file + ": pooling_mode_mean_tokens is not true; only mean pooling is supported");
        }
    }

    private static boolean hasNormalize(Path dir) throws IOException {
        Path file = dir.resolve("modules.json");
        if (!Files.isRegularFile(file)) {
            return false;
        }
        String text = Files.readString(file);
        return text.contains("sentence_transformers.models.Normalize");
    }

    public Path dir() {
        return dir;
    }

    public BertTokenizer tokenizer() {
        return tokenizer;
    }

    /** The dense encoder as loaded. */
    public BertEncoder encoder() {
        return encoder;
    }

    public CpuEngine engine() {
        return engine;
    }

    /** Embeddings of {@code sentences} by the dense model. */
    public float[][] embed(List<String> sentences) {
        return embed(encoder, sentences, LinearInputObserver.NONE);
    }

    /**
     * Embeddings of {@code sentences} by {@code encoder} (this model's, or one with pruned weights),
     * with {@code observer} seeing every linear layer's input.
     */
    public float[][] embed(BertEncoder encoder, List<String> sentences, LinearInputObserver observer) {
        List<float[]> out = new ArrayList<>(sentences.size());
        for (int from = 0; from < sentences.size(); from += BATCH) {
            List<String> batch = sentences.subList(from, Math.min(sentences.size(), from + BATCH));
            HiddenStates states = encoder.forward(engine, tokenizer.encode(batch), observer);
            float[][] pooled = normalize ? states.meanPooledNormalized() : states.meanPooled();
            out.addAll(List.of(pooled));
        }
        return out.toArray(float[][]::new);
    }

    @Override
    public void close() {
        checkpoint.close();
    }
}
