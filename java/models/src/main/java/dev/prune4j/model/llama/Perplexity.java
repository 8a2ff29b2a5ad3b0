package dev.prune4j.model.llama;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.bert.LinearInputObserver;

/**
 * Perplexity by the protocol any implementation can reproduce: each window of {@link TokenWindows}
 * is scored on its own (a fresh cache, no context carried over), every token but the first
 * predicted from the ones before it; perplexity is {@code exp} of the mean negative log-likelihood
 * over the {@code C - 1} predictions of every window.
 */
public final class Perplexity {
    /**
     * @param perplexity  {@code exp(meanNll)}
     * @param meanNll     mean negative log-likelihood per prediction, in nats
     * @param predictions how many next-token predictions were scored: {@code windows * (C - 1)}
     */
    public record Result(double perplexity, double meanNll, long predictions, int windows) {}

    private Perplexity() {}

    /** Scores {@code windows} (equal lengths) with {@code model}. */
    public static Result evaluate(LlamaModel model, CpuEngine engine, int[][] windows) {
        if (windows.length == 0) {
            throw new IllegalArgumentException("no windows to score");
        }
        int context = windows[0].length;
        KvCache cache = model.newCache(context);
        double total = 0;
        long predictions = 0;
        for (int[] w : windows) {
            if (w.length != context) {
                throw new IllegalArgumentException("windows have " + context + " and " + w.length + " tokens");
            }
            cache.clear();
            total += windowNll(model, engine, cache, w);
            predictions += context - 1;
        }
        double mean = total / predictions;
        return new Result(Math.exp(mean), mean, predictions, windows.length);
    }

    /** Sum of {@code -log p(w[t + 1] | w[0..t])} over {@code t < w.length - 1}, from an empty cache. */
    static double windowNll(LlamaModel model, CpuEngine engine, KvCache cache, int[] w) {
        float[] hidden = model.forward(engine, cache, w, LinearInputObserver.NONE);
        int vocab = model.config().vocabSize();
        int h = model.config().hiddenSize();
        int predictions = w.length - 1;
        double[] nll = new double[predictions];
        int chunk = LlamaModel.LOGIT_CHUNK;
        float[] logits = new float[Math.min(chunk, predictions) * vocab];
        float[] rows = new float[Math.min(chunk, predictions) * h];
        for (int t0 = 0; t0 < predictions; t0 += chunk) {
            int n = Math.min(chunk, predictions - t0);
            System.arraycopy(hidden, t0 * h, rows, 0, n * h);
            model.lmHead().forward(engine, rows, n, logits);
            int first = t0;
            engine.parallelFor(n, r -> {
                int off = r * vocab;
                float max = VectorMath.max(logits, off, vocab);
                double logSumExp = max + Math.log(VectorMath.sumExpShifted(logits, off, vocab, max));
                nll[first + r] = logSumExp - logits[off + w[first + r + 1]];
            });
        }
        double sum = 0;
        for (double x : nll) {
            sum += x;
        }
        return sum;
    }
}
