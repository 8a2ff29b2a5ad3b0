package dev.prune4j.engine.cpu;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.Kernel;
import dev.prune4j.internal.cpu.CpuKernels;
import dev.prune4j.internal.cpu.CpuLinearKernels;
import dev.prune4j.internal.cpu.MagnitudeKernels;
import dev.prune4j.internal.cpu.MaskSwaps;
import dev.prune4j.internal.cpu.RiaScores;
import dev.prune4j.internal.cpu.ScoreReductions;
import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.mask.KeySpace;
import dev.prune4j.mask.Mask;
import dev.prune4j.mask.RadixPass;
import dev.prune4j.mask.ThresholdMask;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.tensor.Device;
import dev.prune4j.tensor.Tensor;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;

/**
 * The pure-Java engine: always available, every kernel, and the reference the CUDA engine is tested
 * against. Its device is the host, so host tensors are its tensors ({@link #openArena()} copies
 * nothing). Kernels run on a pool of {@link #threads()} threads (the Vector API where enabled).
 */
public final class CpuEngine implements Engine {
    private static final Set<Kernel> KERNELS = EnumSet.allOf(Kernel.class);

    private final ForkJoinPool pool;
    private final int threads;
    private final Parallel parallel;
    private volatile LinearKernels linearKernels;

    /** An engine using every available processor. */
    public CpuEngine() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public CpuEngine(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.pool = new ForkJoinPool(threads);
        this.parallel = Parallel.on(pool);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String description() {
        return "cpu (pure Java, " + threads + " thread" + (threads == 1 ? "" : "s") + ")";
    }

    @Override
    public Device device() {
        return Device.HOST;
    }

    @Override
    public Set<Kernel> kernels() {
        return KERNELS;
    }

    @Override
    public EngineArena openArena() {
        return new HostArena(this);
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body(i)} for {@code i} in {@code [0, n)} on this engine's threads. */
    public void parallelFor(int n, IntConsumer body) {
        parallel.forEach(n, body);
    }

    /**
     * As {@link #parallelFor(int, IntConsumer)}, on the caller's thread when a tensor's memory is
     * confined to it (a confined arena's segment can only be touched by its owner).
     */
    public void parallelFor(Tensor[] tensors, int n, IntConsumer body) {
        parallel.forEach(tensors, n, body);
    }

    /** The dense and 2:4 GEMMs on this engine's threads. */
    @Override
    public LinearKernels linearKernels() {
        LinearKernels k = linearKernels;
        if (k == null) {
            k = new CpuLinearKernels(parallel, threads);
            linearKernels = k;
        }
        return k;
    }

    @Override
    public void magnitudeHistogram(Tensor t, Mask live, KeySpace keys, RadixPass pass, long[] histogram) {
        requireResident(t);
        MagnitudeKernels.magnitudeHistogram(parallel, t, live, keys, pass, histogram);
    }

    @Override
    public ThresholdMask pruneBelow(Tensor t, Mask live, KeySpace keys, int threshold, long tiesToPrune) {
        requireResident(t);
        return MagnitudeKernels.pruneBelow(parallel, t, live, keys, threshold, tiesToPrune);
    }

    @Override
    public Mask pruneSmallestPerRow(Tensor t, Mask live, int perRow) {
        requireResident(t);
        return MagnitudeKernels.pruneSmallestPerRow(parallel, t, live, perRow);
    }

    @Override
    public Mask pruneNm(Tensor t, int n, int m) {
        requireResident(t);
        return MagnitudeKernels.pruneNm(parallel, t, n, m);
    }

    @Override
    public void applyMask(Tensor src, Mask keep, Tensor dst) {
        requireResident(src, dst);
        MagnitudeKernels.applyMask(parallel, src, keep, dst);
    }

    @Override
    public void accumulateSquaredNorms(Tensor x, Tensor sumSq) {
        requireResident(x, sumSq);
        CpuKernels.accumulateSquaredNorms(parallel, x, sumSq);
    }

    @Override
    public void hessianUpdate(Tensor h, Tensor x, float decay, float inputScale) {
        requireResident(h, x);
        CpuKernels.hessianUpdate(parallel, h, x, decay, inputScale);
    }

    @Override
    public void wandaScores(Tensor w, Tensor normSq, long tokens, Tensor scores) {
        requireResident(w, normSq, scores);
        CpuKernels.wandaScores(parallel, w, normSq, tokens, scores);
    }

    @Override
    public boolean choleskyInverseUpper(Tensor h) {
        requireResident(h);
        return CpuKernels.choleskyInverseUpper(parallel, h);
    }

    @Override
    public void obsScores(Tensor w, Tensor hinv, int from, int to, Tensor scores) {
        requireResident(w, hinv, scores);
        CpuKernels.obsScores(parallel, w, hinv, from, to, scores);
    }

    @Override
    public void obsBlock(Tensor w, Tensor hinv, int from, int to, Mask blockKeep, int nmN, int nmM, Tensor err) {
        requireResident(w, hinv, err);
        CpuKernels.obsBlock(parallel, w, hinv, from, to, blockKeep, nmN, nmM, err);
    }

    @Override
    public void trailingUpdate(Tensor w, Tensor err, Tensor hinv, int from, int to) {
        requireResident(w, err, hinv);
        CpuKernels.trailingUpdate(parallel, w, err, hinv, from, to);
    }

    @Override
    public double rowQuadraticFormSum(Tensor d, Tensor h) {
        requireResident(d, h);
        return CpuKernels.rowQuadraticFormSum(parallel, d, h);
    }

    @Override
    public void riaScores(Tensor w, Tensor normSq, long tokens, double exponent, Tensor scores) {
        requireResident(w, normSq, scores);
        RiaScores.compute(parallel, w, normSq, tokens, exponent, scores);
    }

    @Override
    public double scoreSum(Tensor t) {
        requireResident(t);
        return ScoreReductions.sum(parallel, t);
    }

    @Override
    public long countAbove(Tensor t, float threshold) {
        requireResident(t);
        return ScoreReductions.countAbove(parallel, t, threshold);
    }

    @Override
    public void hessianProduct(Tensor d, Tensor h, Tensor out) {
        requireResident(d, h, out);
        MaskSwaps.hessianProduct(parallel, d, h, out);
    }

    @Override
    public long maskSwaps(Tensor w, Tensor v, Tensor g, Tensor h, Mask keep, int group, int maxSwapsPerRow,
                          int candidates, double tolerance) {
        requireResident(w, v, g, h);
        return MaskSwaps.swap(parallel, w, v, g, h, keep, group, maxSwapsPerRow, candidates, tolerance);
    }

    @Override
    public void close() {
        pool.shutdown();
    }

    @Override
    public String toString() {
        return description();
    }
}
