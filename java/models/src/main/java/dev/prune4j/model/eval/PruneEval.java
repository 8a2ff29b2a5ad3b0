package dev.prune4j.model.eval;

import dev.prune4j.model.bert.BertEncoder;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.model.bert.SentenceEmbedder;
import dev.prune4j.model.text.EvalText;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;

/**
 * Evaluates pruned versions of a sentence-embedding model against the dense one on held-out
 * text: the dense embeddings are computed once, then each {@link ModelPruner} prunes every linear
 * layer, its weights are swapped in by name, and the held-out sentences and retrieval set are
 * embedded again. Pruned weights live in an arena closed after each evaluation; the dense weights
 * stay memory-mapped and untouched.
 */
public final class PruneEval {
    private final SentenceEmbedder model;
    private final EvalText text;
    private final float[][] denseSimilarity;
    private final int[] denseTop1;
    private final double denseAccuracy;

    public PruneEval(SentenceEmbedder model, EvalText text) {
        this.model = model;
        this.text = text;
        this.denseSimilarity = model.embed(text.similarity());
        this.denseTop1 = top1(model.encoder(), text);
        this.denseAccuracy = EmbeddingQuality.pairAccuracy(denseTop1);
    }

    private int[] top1(BertEncoder encoder, EvalText t) {
        float[][] q = model.embed(encoder, t.retrieval().queries(), LinearInputObserver.NONE);
        float[][] d = model.embed(encoder, t.retrieval().documents(), LinearInputObserver.NONE);
        return EmbeddingQuality.top1(q, d);
    }

    /**
     * Mean cosine between the dense embeddings of unrelated held-out sentences (each with the next):
     * the level a pruned model's cosine falls to when its embeddings no longer depend on the text.
     */
    public double denseUnrelatedCosine() {
        if (denseSimilarity.length < 2) {
            return Double.NaN;
        }
        double sum = 0;
        for (int s = 0; s + 1 < denseSimilarity.length; s++) {
            sum += EmbeddingQuality.cosine(denseSimilarity[s], denseSimilarity[s + 1]);
        }
        return sum / (denseSimilarity.length - 1);
    }

    /** The dense model's top-1 accuracy on the retrieval pairs: how meaningful the task is. */
    public double denseAccuracy() {
        return denseAccuracy;
    }

    public EvalText text() {
        return text;
    }

    public SentenceEmbedder model() {
        return model;
    }

    /** Prunes with {@code pruner} and measures the result. */
    public EvalResult evaluate(String method, String setting, double sparsity, ModelPruner pruner) {
        long start = System.nanoTime();
        List<Linear> layers = model.encoder().linears();
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> weights = pruner.prune(layers, arena);
            BertEncoder pruned = model.encoder().withLinearWeights(weights);
            double actual = zeroFraction(pruned.linears());
            float[][] emb = model.embed(pruned, text.similarity(), LinearInputObserver.NONE);
            int[] top1 = top1(pruned, text);
            return new EvalResult(method, setting, sparsity, actual, EmbeddingQuality.meanCosine(denseSimilarity, emb),
                    EmbeddingQuality.agreement(denseTop1, top1), EmbeddingQuality.pairAccuracy(top1),
                    (System.nanoTime() - start) / 1e9);
        }
    }

    /** Fraction of exactly-zero weights (either sign) over all linear layers; they are F32. */
    static double zeroFraction(List<Linear> layers) {
        return LinearSparsity.zeroFraction(layers);
    }
}
