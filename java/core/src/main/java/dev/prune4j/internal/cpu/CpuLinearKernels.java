package dev.prune4j.internal.cpu;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.internal.tensor.FloatRows;
import dev.prune4j.internal.tensor.LittleEndian;
import dev.prune4j.internal.vector.VectorGate;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The linear-layer GEMMs on the CPU, dense and 2:4: the default {@link LinearKernels} of every
 * engine and the reference for the others. Two paths:
 *
 * <ul>
 *   <li><b>decode</b> (fewer than {@link #GEMM_TOKENS} tokens): the register-tiled kernels of
 *       {@link RowTiles} read the weight where it lies, each byte once per call, the output rows
 *       split over the threads;</li>
 *   <li><b>prefill</b>: the packed, cache-blocked GEMM of {@link MatMul}.</li>
 * </ul>
 */
public final class CpuLinearKernels implements LinearKernels {
    /**
     * From this many tokens on, F32 layers run on the packed GEMM ({@link MatMul}): packing W costs a
     * pass over it, which pays once there are enough tokens to reuse each packed panel.
     */
    static final int GEMM_TOKENS = 256;
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
        return (x, y) -> {
            if (w.dtype() == DType.F32 && x.dtype() == DType.F32 && y.dtype() == DType.F32 && x.rows() >= GEMM_TOKENS) {
                gemmF32(x, w, in, out, b, y);
            } else {
                decode(x, y, in, out, b, w.byteSize(), new Tensor[] {x, w, y},
                        kind, (k, r0, r1, xs, n, res) -> tiles.dense(data, k, in, r0, r1, xs, n, res));
            }
        };
    }

    @Override
    public Prepared prepareSparse24(Sparse24 w, Tensor bias) {
        int in = w.cols();
        int out = w.rows();
        MemorySegment values = w.values().data();
        MemorySegment meta = w.meta().data();
        WeightKind kind = tiles.kindOf(values, w.dtype(), w.values().numel());
        float[] b = biasOrZeros(bias, out);
        return (x, y) -> decode(x, y, in, out, b, w.byteSize(), new Tensor[] {x, w.values(), w.meta(), y},
                kind,
                (k, r0, r1, xs, n, res) -> tiles.sparse(values, meta, k, in, r0, r1, xs, n, res));
    }

    private static float[] biasOrZeros(Tensor bias, int out) {
        return bias == null ? new float[out] : bias.toFloatArray();
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

    /** The rows {@code [r0, r1)} of the prepared weight against {@code tokens} tokens of {@code xs}. */
    @FunctionalInterface
    private interface RowRange {
        void run(WeightKind kind, int r0, int r1, float[] xs, int tokens, float[] out);
    }

    /**
     * The decode path: X widened to F32 once, then the output rows in contiguous ranges (whole
     * register tiles) over the threads, each range's block of Y written token by token.
     */
    private void decode(Tensor x, Tensor y, int in, int out, float[] bias, long weightBytes, Tensor[] touched,
                        WeightKind kind, RowRange kernel) {
        int tokens = Math.toIntExact(x.rows());
        if (tokens == 0) {
            return;
        }
        float[] xs = new float[Math.multiplyExact(tokens, in)];
        FloatRows.read(x.data(), x.dtype(), 0, tokens * in, xs, x.dtype() == DType.F32 ? null : new short[tokens * in]);
        WeightKind run = tiles.prepare(kind, xs, xs.length);
        int tasks = weightBytes < PARALLEL_BYTES || threads == 1 ? 1 : threads * TASKS_PER_THREAD;
        int step = RowTiles.ROWS_PER_TILE;
        int rowsPerTask = Math.max(step, (out + tasks - 1) / tasks + step - 1) / step * step;
        int taskCount = (out + rowsPerTask - 1) / rowsPerTask;
        MemorySegment yd = y.data();
        DType yType = y.dtype();
        parallel.forEach(touched, taskCount, task -> {
            int r0 = task * rowsPerTask;
            int r1 = Math.min(out, r0 + rowsPerTask);
            int width = r1 - r0;
            float[] res = new float[tokens * width];
            kernel.run(run, r0, r1, xs, tokens, res);
            short[] halves = yType == DType.F32 ? null : new short[width];
            for (int t = 0; t < tokens; t++) {
                int at = t * width;
                for (int i = 0; i < width; i++) {
                    res[at + i] += bias[r0 + i];
                }
                FloatRows.write(res, at, width, yType, yd, (long) t * out + r0, halves);
            }
        });
    }
}
