package dev.prune4j.bench;

import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.DeviceBuffer;
import dev.prune4j.cuda.CudaEngine;
import dev.prune4j.bench.report.JsonFormat;
import dev.prune4j.io.AtomicFiles;
import dev.prune4j.cuda.CudaGemmPlan;
import dev.prune4j.cuda.CudaGemmPlan.Backend;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Half;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Dense cuBLASLt vs 2:4 (decode kernel / CUTLASS) per ARCHITECTURE.md projection shape, token count
 * (1, 16, 128, 2048, 8192) and dtype, timed by the native library: CUDA events around back-to-back
 * runs (kernel time) and host wall time with a stream sync after every run (latency). A plain main
 * rather than JMH: the timing happens on the device, and the GPU machine has no JDK tooling.
 *
 * <p>Usage: {@code GpuGemmBench OUT.json [tokens,...] [F16,BF16]}. Writes the JSON through a
 * temporary file and prints one line per case.
 */
public final class GpuGemmBench {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final String[][] SHAPES = {
        {"llama2-7b q/k/v/o", "4096", "4096"}, {"llama2-7b gate/up", "11008", "4096"}, {"llama2-7b down", "4096", "11008"},
        {"llama2-13b q/k/v/o", "5120", "5120"}, {"llama2-13b gate/up", "13824", "5120"}, {"llama2-13b down", "5120", "13824"},
        {"llama2-70b q/o", "8192", "8192"}, {"llama2-70b k/v", "1024", "8192"}, {"llama2-70b gate/up", "28672", "8192"},
        {"llama2-70b down", "8192", "28672"}};

    private GpuGemmBench() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "gpu-gemm.json");
        int[] tokenCounts = args.length > 1 ? parseInts(args[1]) : new int[] {1, 16, 128, 2048, 8192};
        DType[] dtypes = args.length > 2 ? parseDtypes(args[2]) : new DType[] {DType.F16, DType.BF16};
        List<Object> rows = new ArrayList<>();
        try (CudaEngine engine = CudaEngine.create(0)) {
            CudaContext ctx = engine.context();
            System.out.println("gpu gemm bench on " + engine.description());
            Random rnd = new Random(42);
            for (String[] shape : SHAPES) {
                int o = Integer.parseInt(shape[1]);
                int i = Integer.parseInt(shape[2]);
                for (DType dtype : dtypes) {
                    try (Arena arena = Arena.ofConfined()) {
                        Tensor w = twoFour(arena, dtype, o, i, rnd);
                        Sparse24 sw = Sparse24.compress(w, arena);
                        try (CudaGemmPlan dense = CudaGemmPlan.dense(ctx, w, null);
                                CudaGemmPlan sparse = CudaGemmPlan.sparse24(ctx, sw, null)) {
                            for (int tokens : tokenCounts) {
                                rows.add(measure(ctx, shape[0], o, i, dtype, tokens, dense, sparse));
                            }
                        }
                    }
                }
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("device", engine.description());
            doc.put("results", rows);
            AtomicFiles.writeString(out, JsonFormat.writePretty(doc));
        }
        System.out.println("wrote " + out);
    }

    private static Map<String, Object> measure(CudaContext ctx, String layer, int o, int i, DType dtype, int tokens,
                                               CudaGemmPlan dense, CudaGemmPlan sparse) {
        long e = dtype.byteSize();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("layer", layer);
        row.put("out", o);
        row.put("in", i);
        row.put("dtype", dtype.name());
        row.put("tokens", tokens);
        try (DeviceBuffer x = ctx.allocate((long) tokens * i * e); DeviceBuffer y = ctx.allocate((long) tokens * o * e)) {
            fillDevice(ctx, x, tokens, i, dtype);
            int iterations = tokens >= 2048 ? 20 : 100;
            float denseKernel = dense.time(Backend.CUBLASLT, tokens, x, y, iterations, false);
            float denseSync = dense.time(Backend.CUBLASLT, tokens, x, y, iterations, true);
            Backend chosen = sparse.resolve(Backend.AUTO, tokens);
            float sparseKernel = sparse.time(Backend.AUTO, tokens, x, y, iterations, false);
            float sparseSync = sparse.time(Backend.AUTO, tokens, x, y, iterations, true);
            row.put("sparse_backend", chosen.name());
            row.put("dense_ms", denseKernel);
            row.put("sparse_ms", sparseKernel);
            row.put("speedup", denseKernel / sparseKernel);
            row.put("dense_sync_ms", denseSync);
            row.put("sparse_sync_ms", sparseSync);
            row.put("speedup_sync", denseSync / sparseSync);
            if (tokens > 16 && sparse.resolve(Backend.CUTLASS_SM80, tokens) != null && chosen != Backend.CUTLASS_SM80) {
                float sm80 = sparse.time(Backend.CUTLASS_SM80, tokens, x, y, iterations, false);
                row.put("sparse_sm80_ms", sm80);
            }
            System.out.printf("%-20s %5dx%-5d %-4s %5d tokens  dense %8.4f ms  2:4 %-12s %8.4f ms  %5.2fx  (sync: %5.2fx)%n",
                    layer, o, i, dtype, tokens, denseKernel, chosen, sparseKernel, denseKernel / sparseKernel,
                    denseSync / sparseSync);
        } catch (RuntimeException ex) {
            row.put("error", ex.getMessage());
            System.out.println(layer + " " + dtype + " " + tokens + " tokens: " + ex.getMessage());
        }
        return row;
    }

    private static void fillDevice(CudaContext ctx, DeviceBuffer x, int tokens, int cols, DType dtype) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate((long) tokens * cols * dtype.byteSize(), 16);
            Random rnd = new Random(tokens);
            short[] table = new short[4096];
            for (int k = 0; k < table.length; k++) {
                float v = (float) rnd.nextGaussian();
                table[k] = dtype == DType.F16 ? Half.floatToF16(v) : Half.floatToBf16(v);
            }
            for (long k = 0; k < (long) tokens * cols; k++) {
                host.set(I16, 2 * k, table[(int) (k * 2654435761L >>> 7 & 4095)]);
            }
            ctx.copyToDevice(host, x, 0);
        }
    }

    /** A random 2:4 weight: every group keeps two positions of random non-zero values. */
    static Tensor twoFour(Arena arena, DType dtype, int rows, int cols, Random rnd) {
        Tensor w = Tensor.allocate(arena, "w", dtype, rows, cols);
        MemorySegment m = w.data();
        short[] table = new short[4096];
        for (int k = 0; k < table.length; k++) {
            float v = (float) (rnd.nextGaussian() * 0.02 + (rnd.nextBoolean() ? 0.01 : -0.01));
            table[k] = dtype == DType.F16 ? Half.floatToF16(v) : Half.floatToBf16(v);
        }
        long state = rnd.nextLong() | 1;
        long groups = (long) rows * cols / 4;
        for (long g = 0; g < groups; g++) {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            int first = (int) (state & 3);
            int second = (first + 1 + (int) (state >>> 2 & 3) % 3) & 3;
            for (int p = 0; p < 4; p++) {
                short bits = p == first || p == second ? table[(int) (state >>> (8 + 12 * (p & 1)) & 4095)] : 0;
                m.set(I16, 8 * g + 2L * p, bits);
            }
        }
        return w;
    }

    private static int[] parseInts(String s) {
        return java.util.Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    private static DType[] parseDtypes(String s) {
        return java.util.Arrays.stream(s.split(",")).map(DType::valueOf).toArray(DType[]::new);
    }
}
