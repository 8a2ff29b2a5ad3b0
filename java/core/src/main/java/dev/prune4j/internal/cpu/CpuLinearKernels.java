package dev.prune4j.internal.cpu;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.internal.tensor.FloatRows;
import dev.prune4j.internal.vector.VectorGate;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The linear-layer GEMMs on the CPU, dense and 2:4: the default {@link LinearKernels} of every
 * engine and the reference for the others. One kernel family for every token count: the register
 * tiles of {@link RowTiles} (4 weight rows x up to 4 tokens, dot products along the rows, the weight
 * read where it lies and widened in registers). The output rows are split over the threads in whole
 * tiles; the tokens run in blocks whose F32 activations stay in cache while the weight streams past
 * once per block. At one token the weight is read once per call, at the speed of memory, and the
 * vector kernels read each task's rows as four long sequential streams (see {@link VectorRowTiles}).
 * From 32 tokens on, 2:4 takes the tokens in the vector lanes ({@link Sparse24TokenLanes}).
 *
 * <p>Why not a packed GEMM for prefill: packing the weight into the panels of {@link MatMul} (a
 * transposition per panel, scalar in Java) cost more than the whole product on these tiles up to
 * 256 tokens, and its 8 x 32 register tile ran no faster than this one (about 45 against 48
 * GFMA/s on one Zen 4 core): so the blocking is over tokens, and nothing is packed.
 */
public final class CpuLinearKernels implements LinearKernels {
    /**
     * F32 bytes of activations per token block: the block is re-read from cache by every tile of 4
     * rows, and the weight is read from memory once per block. 6 MB sits in the 32 MB L3 beside the
     * weight stream and makes 256 tokens one block at 4096 inputs.
     */
    static final int X_BLOCK_BYTES = 6 << 20;
    /**
     * Token blocks are whole multiples of this: of the register tiles' tokens and of the vector
     * lanes that hold tokens in the 2:4 kernels for many tokens (16 F32 lanes at most).
     */
    private static final int TOKEN_BLOCK_MULTIPLE = 16;
    /** Weight bytes below which a call runs on one thread: handing work to the pool costs more. */
    private static final long PARALLEL_BYTES = 256 << 10;
    /** Tasks per thread: slack for a thread that the OS or another process holds up. */
    private static final int TASKS_PER_THREAD = 4;

    private final Parallel parallel;
    private final int threads;
    private final RowTiles tiles;

    /** Kernels on {@code threads} threads of {@code parallel}, with the Vector API when it is enabled. */
    public CpuLinearKernels(Parallel parallel, int threads) {
        this(parallel, threads, Tiles.BEST);
    }

    private CpuLinearKernels(Parallel parallel, int threads, RowTiles tiles) {
        this.parallel = parallel;
        this.threads = threads;
        this.tiles = tiles;
    }

    private static final class Tiles {
        static final RowTiles BEST = VectorGate.pick("linear kernels", RowTiles.class,
                "dev.prune4j.internal.cpu.VectorRowTiles", () -> ScalarRowTiles.INSTANCE);
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
        return new CpuLinearKernels(parallel, threads, ScalarRowTiles.INSTANCE);
    }

    @Override
    public String description() {
        return "cpu linear kernels (" + tiles.description() + ", " + threads + " thread" + (threads == 1 ? "" : "s") + ")";
    }

    @Override
    public Prepared prepareDense(Tensor w, Tensor bias) {
        int in = Math.toIntExact(w.dim(1));
        int out = Math.toIntExact(w.dim(0));
        MemorySegment data = w.data();
        WeightKind kind = tiles.kindOf(data, w.dtype(), w.numel());
        float[] b = biasOrZeros(bias, out);
        Tensor[] weight = {w};
        return (x, y) -> forward(x, y, in, out, b, w.byteSize(), weight, kind, false,
                (k, r0, r1, xs, lanes, n, res) -> tiles.dense(data, k, in, r0, r1, xs, n, res));
    }

    @Override
    public Prepared prepareSparse24(Sparse24 w, Tensor bias) {
        int in = w.cols();
        int out = w.rows();
        MemorySegment values = w.values().data();
        MemorySegment meta = w.meta().data();
        WeightKind kind = tiles.kindOf(values, w.dtype(), w.values().numel());
        float[] b = biasOrZeros(bias, out);
        Tensor[] weight = {w.values(), w.meta()};
        return (x, y) -> forward(x, y, in, out, b, w.byteSize(), weight, kind, true,
                (k, r0, r1, xs, lanes, n, res) -> tiles.sparse(values, meta, k, in, r0, r1, xs, lanes, n, res));
    }

    private static float[] biasOrZeros(Tensor bias, int out) {
        return bias == null ? new float[out] : bias.toFloatArray();
    }

    /** The rows {@code [r0, r1)} of the prepared weight against {@code tokens} tokens of {@code xs}. */
    @FunctionalInterface
    private interface RowRange {
        void run(WeightKind kind, int r0, int r1, float[] xs, MemorySegment lanes, int tokens, float[] out);
    }

    /**
     * One call: per block of tokens, X widened to F32 once, then the output rows in contiguous
     * ranges (whole register tiles) over the threads, each range's block of Y written token by token.
     */
    private void forward(Tensor x, Tensor y, int in, int out, float[] bias, long weightBytes, Tensor[] weight,
                         WeightKind kind, boolean twoFour, RowRange kernel) {
        int tokens = Math.toIntExact(x.rows());
        if (tokens == 0) {
            return;
        }
        Tensor[] touched = new Tensor[weight.length + 2];
        System.arraycopy(weight, 0, touched, 0, weight.length);
        touched[weight.length] = x;
        touched[weight.length + 1] = y;
        int block = Math.min(tokens, Math.max(TOKEN_BLOCK_MULTIPLE,
                X_BLOCK_BYTES / 4 / in / TOKEN_BLOCK_MULTIPLE * TOKEN_BLOCK_MULTIPLE));
        int tasks = weightBytes < PARALLEL_BYTES || threads == 1 ? 1 : threads * TASKS_PER_THREAD;
        int step = RowTiles.ROWS_PER_TILE;
        int rowsPerTask = Math.max(step, (out + tasks - 1) / tasks + step - 1) / step * step;
        int taskCount = (out + rowsPerTask - 1) / rowsPerTask;
        float[] xs = new float[Math.multiplyExact(block, in)];
        short[] halves = x.dtype() == DType.F32 ? null : new short[xs.length];
        MemorySegment yd = y.data();
        DType yType = y.dtype();
        for (int t0 = 0; t0 < tokens; t0 += block) {
            int n = Math.min(block, tokens - t0);
            int first = t0;
            FloatRows.read(x.data(), x.dtype(), (long) t0 * in, n * in, xs, halves);
            WeightKind run = tiles.prepare(kind, xs, n * in);
            // The second layout, when the kernels want one, lives as long as the block's tasks.
            Arena arena = twoFour && tiles.usesLanes(n) ? Arena.ofShared() : null;
            try {
                MemorySegment lanes = arena == null ? null : tiles.lanes(xs, n, in, arena);
                parallel.forEach(touched, taskCount, task -> {
                    int r0 = task * rowsPerTask;
                    int r1 = Math.min(out, r0 + rowsPerTask);
                    int width = r1 - r0;
                    float[] res = new float[n * width];
                    kernel.run(run, r0, r1, xs, lanes, n, res);
                    short[] h = yType == DType.F32 ? null : new short[width];
                    for (int t = 0; t < n; t++) {
                        int at = t * width;
                        for (int i = 0; i < width; i++) {
                            res[at + i] += bias[r0 + i];
                        }
                        FloatRows.write(res, at, width, yType, yd, (long) (first + t) * out + r0, h);
                    }
                });
            } finally {
                if (arena != null) {
                    arena.close();
                }
            }
        }
    }
}
