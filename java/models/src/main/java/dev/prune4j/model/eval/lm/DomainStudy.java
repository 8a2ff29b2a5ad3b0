package dev.prune4j.model.eval.lm;

import dev.prune4j.analysis.MaskSimilarity;
import dev.prune4j.analysis.ZeroOverlap;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.eval.LinearSparsity;
import dev.prune4j.model.eval.ModelPruner;
import dev.prune4j.model.llama.LlamaModel;
import dev.prune4j.model.llama.Perplexity;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Domain-specific sub-models: the same method calibrated on each of several kinds of text, each
 * pruned model scored on every kind's evaluation text (a square table, the dense model as a row of
 * its own), and the Jaccard distance between the models' masks (their zero positions), per linear
 * layer type ({@code q_proj} ... {@code down_proj}) and overall, for every pair of domains (the
 * {@code compare} machinery, {@link MaskSimilarity}). Does pruning on legal text keep a different
 * model from pruning on the Bible? The table says how much it matters, the distances where.
 */
public final class DomainStudy {
    /** One domain's token windows: calibration for the method, evaluation for the table. */
    public record Domain(String name, int[][] calibration, int[][] evaluation) {}

    private final LlamaModel model;
    private final CpuEngine engine;
    private final Consumer<String> progress;

    /**
     * @param engine   runs the forward passes
     * @param progress told one line as each model is pruned and scored
     */
    public DomainStudy(LlamaModel model, CpuEngine engine, Consumer<String> progress) {
        this.model = model;
        this.engine = engine;
        this.progress = progress;
    }

    /**
     * Prunes with {@code prunerFor.apply(d.calibration())} for each domain {@code d} and scores
     * every result on every domain.
     */
    public DomainTable run(List<Domain> domains, Function<int[][], ModelPruner> prunerFor) {
        if (domains.size() < 2) {
            throw new IllegalArgumentException("a domain study needs at least two domains, got " + domains.size());
        }
        int n = domains.size();
        List<String> names = domains.stream().map(Domain::name).toList();
        double[] dense = new double[n];
        for (int e = 0; e < n; e++) {
            dense[e] = Perplexity.evaluate(model, engine, domains.get(e).evaluation()).perplexity();
            progress.accept(String.format(java.util.Locale.ROOT, "dense on %s: perplexity %.3f", names.get(e), dense[e]));
        }
        double[][] perplexity = new double[n][n];
        double[] actual = new double[n];
        double[] seconds = new double[n];
        List<Arena> arenas = new ArrayList<>();
        try {
            List<Map<String, Tensor>> weights = new ArrayList<>();
            for (int c = 0; c < n; c++) {
                ProcessClock clock = new ProcessClock();
                Arena arena = Arena.ofShared();
                arenas.add(arena);
                Map<String, Tensor> w = prunerFor.apply(domains.get(c).calibration()).prune(model.linears(), arena);
                weights.add(w);
                LlamaModel pruned = model.withLinearWeights(w);
                actual[c] = LinearSparsity.zeroFraction(pruned.linears());
                for (int e = 0; e < n; e++) {
                    perplexity[c][e] = Perplexity.evaluate(pruned, engine, domains.get(e).evaluation()).perplexity();
                    progress.accept(String.format(java.util.Locale.ROOT, "calibrated on %s, scored on %s: perplexity %.3f",
                            names.get(c), names.get(e), perplexity[c][e]));
                }
                seconds[c] = clock.wallSeconds();
            }
            return new DomainTable(names, dense, perplexity, actual, seconds, distances(names, weights));
        } finally {
            arenas.forEach(Arena::close);
        }
    }

    /** Per pair of domains: the overlap of zero positions per layer type, then overall. */
    private List<DomainTable.MaskDistance> distances(List<String> names, List<Map<String, Tensor>> weights) {
        List<DomainTable.MaskDistance> out = new ArrayList<>();
        for (int a = 0; a < names.size(); a++) {
            for (int b = a + 1; b < names.size(); b++) {
                Map<String, ZeroOverlap> byType = new LinkedHashMap<>();
                ZeroOverlap overall = empty(MaskSimilarity.OVERALL);
                for (Linear l : model.linears()) {
                    ZeroOverlap o = MaskSimilarity.of(weights.get(a).get(l.name()), weights.get(b).get(l.name()), engine);
                    String type = layerType(l.name());
                    byType.put(type, plus(byType.getOrDefault(type, empty(type)), o));
                    overall = plus(overall, o);
                }
                for (ZeroOverlap o : byType.values()) {
                    out.add(new DomainTable.MaskDistance(names.get(a), names.get(b), o));
                }
                out.add(new DomainTable.MaskDistance(names.get(a), names.get(b), overall));
            }
        }
        return out;
    }

    /** {@code q_proj} of {@code model.layers.3.self_attn.q_proj}. */
    static String layerType(String linearName) {
        return linearName.substring(linearName.lastIndexOf('.') + 1);
    }

    private static ZeroOverlap empty(String name) {
        return new ZeroOverlap(name, new long[0], 0, 0, 0, 0);
    }

    private static ZeroOverlap plus(ZeroOverlap sum, ZeroOverlap o) {
        return new ZeroOverlap(sum.name(), new long[0], sum.size() + o.size(), sum.zerosA() + o.zerosA(),
                sum.zerosB() + o.zerosB(), sum.intersection() + o.intersection());
    }
}
