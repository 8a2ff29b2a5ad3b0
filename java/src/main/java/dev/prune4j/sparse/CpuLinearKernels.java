package dev.prune4j.sparse;

import dev.prune4j.engine.CpuEngine;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The linear-layer GEMMs on the CPU engine, dense and 2:4, and the reference for every other
 * engine's kernels. Activations are converted to F32 a tile of tokens at a time; the output rows
 * (weight rows) are split over the engine's threads, and each thread runs the row kernel
 * ({@link RowDot}: Vector API where available) for every token of the tile.
 *
 * <p>Decode path: with at most {@value #DECODE_TOKENS} tokens the whole input is one tile, so every
 * weight row is streamed from memory once and reused from cache for all tokens. General path: tiles
 * of {@value #TILE_TOKENS} tokens, the weight streamed once per tile.
 */
public final class CpuLinearKernels implements LinearKernels {
    /** Up to this many tokens the weight is read once (the GEMV/decode path). */
    public static final int DECODE_TOKENS = 16;
    /** Tokens per tile on the general path. */
    static final int TILE_TOKENS = 64;
    /** Output rows per parallel task: enough work per task, enough tasks to balance. */
    private static final int ROWS_PER_TASK = 32;

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final CpuEngine engine;
    private final RowDot dot;

    /** Kernels on {@code engine}'s threads, with the Vector API when it is enabled. */
    public CpuLinearKernels(CpuEngine engine) {
        this(engine, RowDots.best());
    }

    CpuLinearKernels(CpuEngine engine, RowDot dot) {
        this.engine = engine;
        this.dot = dot;
    }

    /** The same kernels without the Vector API (for comparison and tests). */
    public static CpuLinearKernels scalar(CpuEngine engine) {
        return new CpuLinearKernels(engine, ScalarRowDot.INSTANCE);
    }

    @Override
    public String description() {
        return "cpu linear kernels (" + dot.description() + ", " + engine.threads() + " threads)";
    }

    @Override
    public void dense(Tensor x, Tensor w, Tensor bias, Tensor y) {
        if (w.rank() != 2) {
            throw new IllegalArgumentException("layer weight " + w + " is not [out, in]");
        }
        if (w.dim(1) > Integer.MAX_VALUE - 8 || w.dim(0) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("layer weight " + w + " is too large");
        }
        int in = (int) w.dim(1);
        int tokens = LinearArgs.check(x, w.name(), w.dim(0), in, bias, y);
        DType dtype = w.dtype();
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("layer weight " + w + " must be F32, F16 or BF16");
        }
        MemorySegment data = w.data();
        run(x, tokens, in, (int) w.dim(0), bias, y, List.of(x, w, y),
                (row, tile, n, out, scratch) -> dot.dense(data, dtype, row, in, tile, n, out, scratch));
    }

    @Override
    public void sparse24(Tensor x, Sparse24 w, Tensor bias, Tensor y) {
        int in = w.cols();
        int tokens = LinearArgs.check(x, w.name(), w.rows(), in, bias, y);
        MemorySegment values = w.values().data();
        MemorySegment meta = w.meta().data();
        DType dtype = w.dtype();
        run(x, tokens, in, w.rows(), bias, y, List.of(x, w.values(), w.meta(), y),
                (row, tile, n, out, scratch) -> dot.sparse(values, meta, dtype, row, in, tile, n, out, scratch));
    }

    @FunctionalInterface
    private interface RowKernel {
        void row(int row, float[] tile, int tokens, float[] out, RowScratch scratch);
    }

    private void run(Tensor x, int tokens, int in, int outFeatures, Tensor bias, Tensor y, List<Tensor> touched,
                     RowKernel kernel) {
        if (tokens == 0) {
            return;
        }
        List<Tensor> all = new ArrayList<>(touched);
        if (bias != null) {
            all.add(bias);
        }
        Tensor[] shared = all.toArray(Tensor[]::new);
        float[] b = bias == null ? new float[outFeatures] : bias.toFloatArray();
        int tileTokens = tokens <= DECODE_TOKENS ? tokens : TILE_TOKENS;
        float[] tile = new float[Math.multiplyExact(tileTokens, in)];
        short[] halves = x.dtype() == DType.F32 ? null : new short[tile.length];
        int tasks = (outFeatures + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        for (int t0 = 0; t0 < tokens; t0 += tileTokens) {
            int first = t0;
            int n = Math.min(tileTokens, tokens - t0);
            readTokens(x, first, n, in, tile, halves);
            engine.parallelFor(shared, tasks, task -> {
                float[] out = new float[n];
                RowScratch scratch = new RowScratch(in);
                int rowEnd = Math.min(outFeatures, (task + 1) * ROWS_PER_TASK);
                for (int row = task * ROWS_PER_TASK; row < rowEnd; row++) {
                    kernel.row(row, tile, n, out, scratch);
                    for (int t = 0; t < n; t++) {
                        y.setFloat((long) (first + t) * outFeatures + row, out[t] + b[row]);
                    }
                }
            });
        }
    }

    /** Tokens {@code [first, first + n)} of {@code x} as floats into {@code tile}. */
    private static void readTokens(Tensor x, int first, int n, int in, float[] tile, short[] halves) {
        int count = n * in;
        long offset = (long) first * in * x.dtype().byteSize();
        switch (x.dtype()) {
            case F32 -> MemorySegment.copy(x.data(), F32, offset, tile, 0, count);
            case F16 -> {
                MemorySegment.copy(x.data(), I16, offset, halves, 0, count);
                for (int i = 0; i < count; i++) {
                    tile[i] = Float.float16ToFloat(halves[i]);
                }
            }
            case BF16 -> {
                MemorySegment.copy(x.data(), I16, offset, halves, 0, count);
                for (int i = 0; i < count; i++) {
                    tile[i] = Float.intBitsToFloat((halves[i] & 0xFFFF) << 16);
                }
            }
            default -> throw new AssertionError(x.dtype());
        }
    }
}
