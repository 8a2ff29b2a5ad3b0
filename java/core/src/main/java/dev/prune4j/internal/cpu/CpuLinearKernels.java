package dev.prune4j.internal.cpu;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.internal.tensor.FloatRows;
import dev.prune4j.internal.tensor.LittleEndian;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The linear-layer GEMMs on the CPU, dense and 2:4: the default {@link LinearKernels} of every
 * engine and the reference for the others. Activations are converted to F32 a tile of tokens at a
 * time; the output rows (weight rows) are split over the threads, and each thread runs the row
 * kernel ({@link RowDot}: Vector API where enabled) for every token of the tile.
 *
 * <p>Decode path: with at most {@value #DECODE_TOKENS} tokens the whole input is one tile, so every
 * weight row is streamed from memory once and reused from cache for all tokens. General path: tiles
 * of {@value #TILE_TOKENS} tokens, the weight streamed once per tile.
 */
public final class CpuLinearKernels implements LinearKernels {
    /** Up to this many tokens the weight is read once (the GEMV/decode path). */
    public static final int DECODE_TOKENS = 16;
    /**
     * From this many tokens on, F32 layers run on the packed GEMM ({@link MatMul}): packing W costs a
     * pass over it, which pays once there are enough tokens to reuse each packed panel. A first
     * setting from a noisy 2-core machine; the CPU kernel work measures it properly.
     */
    static final int GEMM_TOKENS = 256;
    /** Tokens per tile on the general path. */
    static final int TILE_TOKENS = 64;
    /** Output rows per parallel task: enough work per task, enough tasks to balance. */
    private static final int ROWS_PER_TASK = 32;

    private final Parallel parallel;
    private final int threads;
    private final RowDot dot;

    /** Kernels on {@code threads} threads of {@code parallel}, with the Vector API when it is enabled. */
    public CpuLinearKernels(Parallel parallel, int threads) {
        this(parallel, threads, RowDots.best());
    }

    private CpuLinearKernels(Parallel parallel, int threads, RowDot dot) {
        this.parallel = parallel;
        this.threads = threads;
        this.dot = dot;
    }

    /** The kernels on the JVM's common pool: what an engine without GEMMs of its own offers. */
    public static CpuLinearKernels common() {
        return Common.KERNELS;
    }

    private static final class Common {
        static final CpuLinearKernels KERNELS = new CpuLinearKernels(Parallel.commonPool(),
                java.util.concurrent.ForkJoinPool.getCommonPoolParallelism());
    }

    /** The same kernels without the Vector API (for comparison and tests). */
    public static CpuLinearKernels scalar(Parallel parallel, int threads) {
        return new CpuLinearKernels(parallel, threads, ScalarRowDot.INSTANCE);
    }

    @Override
    public String description() {
        return "cpu linear kernels (" + dot.description() + ", " + threads + " thread" + (threads == 1 ? "" : "s") + ")";
    }

    @Override
    public Prepared prepareDense(Tensor w, Tensor bias) {
        int in = Math.toIntExact(w.dim(1));
        int out = Math.toIntExact(w.dim(0));
        MemorySegment data = w.data();
        DType dtype = w.dtype();
        float[] b = biasOrZeros(bias, out);
        return (x, y) -> {
            if (dtype == DType.F32 && x.dtype() == DType.F32 && y.dtype() == DType.F32 && x.rows() >= GEMM_TOKENS) {
                gemmF32(x, w, in, out, b, y);
            } else {
                run(x, in, out, b, y, List.of(x, w, y),
                        (row, tile, n, result, scratch) -> dot.dense(data, dtype, row, in, tile, n, result, scratch));
            }
        };
    }

    /**
     * Prefill with F32 everywhere (the BERT encoder's case): the packed, cache-blocked GEMM of the
     * Hessian kernel on {@code Y = bias + X W^T}, W's rows packed as B's panels.
     */
    private void gemmF32(Tensor x, Tensor w, int in, int out, float[] bias, Tensor y) {
        int tokens = Math.toIntExact(x.rows());
        for (int t = 0; t < tokens; t++) {
            MemorySegment.copy(bias, 0, y.data(), LittleEndian.F32, (long) t * out * 4, out);
        }
        boolean shared = Parallel.sharedAcrossThreads(x.data()) && Parallel.sharedAcrossThreads(w.data())
                && Parallel.sharedAcrossThreads(y.data());
        MatMul.multiplyAddTransposed(shared ? parallel : Parallel.SEQUENTIAL, tokens, out, in, 1f, x.data(), 0, in,
                w.data(), 0, in, y.data(), 0, out);
    }

    @Override
    public Prepared prepareSparse24(Sparse24 w, Tensor bias) {
        int in = w.cols();
        int out = w.rows();
        MemorySegment values = w.values().data();
        MemorySegment meta = w.meta().data();
        DType dtype = w.dtype();
        float[] b = biasOrZeros(bias, out);
        return (x, y) -> run(x, in, out, b, y, List.of(x, w.values(), w.meta(), y),
                (row, tile, n, result, scratch) -> dot.sparse(values, meta, dtype, row, in, tile, n, result, scratch));
    }

    private static float[] biasOrZeros(Tensor bias, int out) {
        return bias == null ? new float[out] : bias.toFloatArray();
    }

    @FunctionalInterface
    private interface RowKernel {
        void row(int row, float[] tile, int tokens, float[] out, RowScratch scratch);
    }

    private void run(Tensor x, int in, int outFeatures, float[] bias, Tensor y, List<Tensor> touched,
                     RowKernel kernel) {
        int tokens = Math.toIntExact(x.rows());
        if (tokens == 0) {
            return;
        }
        Tensor[] shared = new ArrayList<>(touched).toArray(Tensor[]::new);
        int tileTokens = tokens <= DECODE_TOKENS ? tokens : TILE_TOKENS;
        float[] tile = new float[Math.multiplyExact(tileTokens, in)];
        short[] halves = x.dtype() == DType.F32 ? null : new short[tile.length];
        int tasks = (outFeatures + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        for (int t0 = 0; t0 < tokens; t0 += tileTokens) {
            int first = t0;
            int n = Math.min(tileTokens, tokens - t0);
            FloatRows.read(x.data(), x.dtype(), (long) first * in, n * in, tile, halves);
            parallel.forEach(shared, tasks, task -> {
                float[] out = new float[n];
                RowScratch scratch = new RowScratch(Math.max(in, ROWS_PER_TASK));
                int rowStart = task * ROWS_PER_TASK;
                int rowEnd = Math.min(outFeatures, rowStart + ROWS_PER_TASK);
                int width = rowEnd - rowStart;
                // The task's block of Y, token-major, so each token's run is written in one go.
                float[] block = new float[n * width];
                for (int row = rowStart; row < rowEnd; row++) {
                    kernel.row(row, tile, n, out, scratch);
                    for (int t = 0; t < n; t++) {
                        block[t * width + row - rowStart] = out[t] + bias[row];
                    }
                }
                for (int t = 0; t < n; t++) {
                    FloatRows.write(block, t * width, width, y.dtype(), y.data(), (long) (first + t) * outFeatures + rowStart,
                            scratch.halves);
                }
            });
        }
    }
}
