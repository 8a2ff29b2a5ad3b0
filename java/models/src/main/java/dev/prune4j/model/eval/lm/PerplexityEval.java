package dev.prune4j.model.eval.lm;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.eval.LinearSparsity;
import dev.prune4j.model.eval.ModelPruner;
import dev.prune4j.model.llama.LlamaModel;
import dev.prune4j.model.llama.Perplexity;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Map;

/**
 * Perplexity of pruned versions of a language model on fixed evaluation windows (the protocol of
 * {@link Perplexity}): each {@link ModelPruner} prunes every linear layer of the decoder, the new
 * weights are swapped in by name, and the windows are scored. Pruned weights live in an arena
 * closed after each evaluation; the dense model is never modified.
 */
public final class PerplexityEval {
    private final LlamaModel model;
    private final CpuEngine engine;
    private final int[][] windows;

    /**
     * @param engine  runs the forward passes
     * @param windows the evaluation windows, all of one length
     */
    public PerplexityEval(LlamaModel model, CpuEngine engine, int[][] windows) {
        if (windows.length == 0) {
            throw new IllegalArgumentException("no evaluation windows");
        }
        this.model = model;
        this.engine = engine;
        this.windows = windows;
    }

    public LlamaModel model() {
        return model;
    }

    public int windows() {
        return windows.length;
    }

    public int context() {
        return windows[0].length;
    }

    /** The dense model's row. */
    public PerplexityResult dense() {
        ProcessClock clock = new ProcessClock();
        Perplexity.Result r = Perplexity.evaluate(model, engine, windows);
        return new PerplexityResult(PerplexityResult.DENSE, "none", 0, LinearSparsity.zeroFraction(model.linears()),
                r.perplexity(), r.meanNll(), 0, clock.wallSeconds(), clock.cpuSeconds());
    }

    /** Prunes every decoder linear layer with {@code pruner} and scores the result. */
    public PerplexityResult evaluate(String method, String setting, double sparsity, ModelPruner pruner) {
        ProcessClock clock = new ProcessClock();
        try (Arena arena = Arena.ofShared()) {
            Map<String, Tensor> weights = pruner.prune(model.linears(), arena);
            LlamaModel pruned = model.withLinearWeights(weights);
            double pruneSeconds = clock.wallSeconds();
            double actual = LinearSparsity.zeroFraction(pruned.linears());
            Perplexity.Result r = Perplexity.evaluate(pruned, engine, windows);
            return new PerplexityResult(method, setting, sparsity, actual, r.perplexity(), r.meanNll(), pruneSeconds,
                    clock.wallSeconds() - pruneSeconds, clock.cpuSeconds());
        }
    }
}
