package dev.prune4j.bench;

import dev.prune4j.bench.shapes.BenchShapes;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.Magnitude;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.synth.LlamaShape;
import dev.prune4j.synth.SyntheticLlama;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Benchmark inputs: synthetic LLaMA-like weights (heavy-tailed, {@link SyntheticLlama}), pruned 2:4 by
 * magnitude and compressed, and Gaussian activations. Filling uses every core, since a 70B
 * projection has 235 M weights.
 *
 * <p>The last prepared weight is kept (one entry, keyed by shape and dtype), so trials that differ
 * only in token count reuse it when they run in one JVM (the quick GPU profile runs without forks);
 * with a fork per trial the cache simply starts empty each time.
 */
public final class BenchWeights {
    /** A 2:4-pruned weight {@code [out, in]} in dense form and compressed, in its own arena. */
    public record Prepared(String key, Arena arena, Tensor dense, Sparse24 sparse) {}

    private static Prepared last;

    private BenchWeights() {}

    /** The 2:4-pruned weight of {@code shape} in {@code dtype}; owned by this cache, never close it. */
    public static synchronized Prepared twoFour(String shape, DType dtype) {
        String key = shape + "/" + dtype;
        if (last != null && last.key().equals(key)) {
            return last;
        }
        release();
        int[] dims = BenchShapes.parse(shape);
        Arena arena = Arena.ofShared();
        try (CpuEngine cpu = new CpuEngine()) {
            Tensor w = Tensor.allocate(arena, "model.layers.0.bench_proj.weight", dtype, dims[0], dims[1]);
            fillWeight(w, dtype);
            Mask keep = Magnitude.pruneNm(cpu, w, NmPattern.TWO_FOUR);
            cpu.applyMask(w, keep, w);
            last = new Prepared(key, arena, w, Sparse24.compress(w, arena));
            return last;
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Frees the cached weight. */
    public static synchronized void release() {
        if (last != null) {
            last.arena().close();
            last = null;
        }
    }

    /** Synthetic weights, the same for a given name and shape whatever the thread count. */
    public static void fillWeight(Tensor w, DType dtype) {
        SyntheticLlama synth = new SyntheticLlama(LlamaShape.TINY, dtype, 1);
        IntStream.range(0, SyntheticLlama.blocks(w.numel())).parallel().forEach(b -> synth.fillBlock(w, b));
    }

    /** Standard normal activations, one random stream per block of {@link SyntheticLlama#BLOCK}. */
    public static void fillGaussian(Tensor x, long seed) {
        long n = x.numel();
        int blocks = SyntheticLlama.blocks(n);
        IntStream.range(0, blocks).parallel().forEach(b -> {
            SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + b);
            long from = (long) b * SyntheticLlama.BLOCK;
            long to = Math.min(n, from + SyntheticLlama.BLOCK);
            for (long i = from; i < to; i++) {
                x.setFloat(i, (float) rnd.nextGaussian());
            }
        });
    }
}
