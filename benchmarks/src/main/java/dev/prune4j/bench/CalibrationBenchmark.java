package dev.prune4j.bench;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.sparsegpt.SparseGpt;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.wanda.Wanda;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Wanda and SparseGPT on one LLaMA-2-7B layer with 8192 calibration tokens (or the papers'
 * 128 x 2048: {@code -p tokens=262144}), and the Hessian
 * accumulation, on the CPU or the CUDA engine. Every call starts from host memory, as a user's
 * does: the weight (and the inputs) cross the bus inside the timed call and the result comes
 * back, so a device number includes its transfers. The calibration statistics of the methods that
 * start from ready statistics are computed once in the set-up.
 * One call takes up to seconds, so each iteration is a single call.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/prune4j-benchmarks.jar
 * CalibrationBenchmark -f 1 -wi 1 -i 2 -rf json -rff calib.json}
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
public class CalibrationBenchmark {
    /** Calibration tokens per Hessian update: one sequence of 2048, as the reference code feeds them. */
    static final int BATCH = 2048;
    /** Rows of distinct random inputs; longer calibration sets repeat them (the timing is the same). */
    static final int DISTINCT_ROWS = 8192;

    /** One layer {@code out x in} (F16 weights, F16 inputs) and its calibration statistics. */
    @State(Scope.Benchmark)
    public static class Layer {
        @Param({"4096x4096", "11008x4096"})
        public String shape;

        @Param({"cpu", "cuda"})
        public String engine;

        /** Calibration tokens: 8192 by default; the papers' 128 x 2048 = 262144 on a GPU. */
        @Param({"8192"})
        public int tokens;

        Engine eng;
        Arena arena;
        Tensor weight;
        Tensor inputs;
        ActivationStats stats;
        HessianAccumulator hessian;

        @Setup(Level.Trial)
        public void setUp() {
            String[] parts = shape.split("x");
            int out = Integer.parseInt(parts[0]);
            int in = Integer.parseInt(parts[1]);
            eng = BenchEngines.create(engine);
            arena = Arena.ofShared();
            weight = gaussian(arena, "weight", out, in, 0.02, 1);
            inputs = calibrationInputs(arena, tokens, in, 2);
            // Gathered on the engine under test (fast on a GPU for the long calibration sets); the
            // two engines' statistics differ only by float rounding.
            try (EngineArena work = eng.openArena()) {
                ActivationStats s = ActivationStats.create(work, "weight", in);
                HessianAccumulator h = HessianAccumulator.create(work, "weight", in);
                for (long from = 0; from < tokens; from += BATCH) {
                    Tensor batch = rows(inputs, from, Math.min(tokens, from + BATCH));
                    s.add(eng, batch);
                    h.add(eng, batch);
                }
                stats = s.copyToHost(work, arena);
                hessian = h.copyToHost(work, arena);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (eng != null) {
                eng.close();
            }
            arena.close();
        }
    }

    /** The {@code tokens x 4096} inputs alone, for the Hessian accumulation. */
    @State(Scope.Benchmark)
    public static class Inputs {
        @Param({"cpu", "cuda"})
        public String engine;

        @Param({"8192"})
        public int tokens;

        Engine eng;
        Arena arena;
        Tensor inputs;

        @Setup(Level.Trial)
        public void setUp() {
            eng = BenchEngines.create(engine);
            arena = Arena.ofShared();
            inputs = calibrationInputs(arena, tokens, 4096, 3);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (eng != null) {
                eng.close();
            }
            arena.close();
        }
    }

    /**
     * GFLOP/s of the Hessian update, counted as a full {@code X^T X} ({@code 2 * tokens * in^2}
     * flops, what a plain GEMM does); the kernel computes only the upper triangle, about half.
     */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Flops {
        public double gflop;
    }

    /** Rows {@code [from, to)} of the host matrix {@code t}, sharing its memory. */
    static Tensor rows(Tensor t, long from, long to) {
        long rowBytes = t.cols() * t.dtype().byteSize();
        return new Tensor(t.name(), t.dtype(), new long[] {to - from, t.cols()},
                t.data().asSlice(from * rowBytes, (to - from) * rowBytes));
    }

    /** {@code tokens x cols} F16 inputs: {@link #DISTINCT_ROWS} random rows, repeated to length. */
    static Tensor calibrationInputs(Arena arena, int tokens, int cols, long seed) {
        Tensor block = gaussian(arena, "inputs", Math.min(tokens, DISTINCT_ROWS), cols, 1.0, seed);
        if (tokens <= DISTINCT_ROWS) {
            return block;
        }
        Tensor all = Tensor.allocate(arena, "inputs", DType.F16, tokens, cols);
        for (long from = 0; from < tokens; from += DISTINCT_ROWS) {
            long n = Math.min(DISTINCT_ROWS, tokens - from);
            java.lang.foreign.MemorySegment.copy(block.data(), 0, all.data(), from * cols * 2, n * cols * 2);
        }
        return all;
    }

    static Tensor gaussian(Arena arena, String name, int rows, int cols, double scale, long seed) {
        Tensor t = Tensor.allocate(arena, name, DType.F16, rows, cols);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (long i = 0; i < t.numel(); i++) {
            // A few loud channels, as in real activations.
            double s = (i % cols) % 512 == 7 ? 20 * scale : scale;
            t.setFloat(i, (float) (s * (rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() - 1.5) * 2));
        }
        return t;
    }

    /**
     * The Hessian of the calibration tokens fed in batches of {@link #BATCH} (as a calibration pass
     * streams them), kept on the engine's device, then brought to the host where SparseGPT reads it.
     */
    @Benchmark
    public void hessianAccumulation(Inputs in, Flops flops, Blackhole bh) {
        try (Arena host = Arena.ofShared()) {
            HessianAccumulator h = accumulate(in.eng, in.inputs, host);
            bh.consume(h.hessian().getFloat(12345));
        }
        flops.gflop += 2.0 * in.tokens * 4096.0 * 4096.0 / 1e9;
    }

    /** SparseGPT 50 % as a user runs it from raw calibration inputs: the Hessian accumulation, then the pruning. */
    @Benchmark
    public void sparseGpt50WithHessian(Layer layer, Blackhole bh) {
        try (Arena arena = Arena.ofShared()) {
            HessianAccumulator h = accumulate(layer.eng, layer.inputs, arena);
            LayerPruneResult r = SparseGpt.prune(layer.eng, layer.weight, h, PruneSpec.perTensor(0.5),
                    SparseGpt.Options.DEFAULT.withComputeError(false), arena);
            bh.consume(r.mask().count());
        }
    }

    /** The Hessian of {@code inputs [tokens, 4096]} on {@code engine}, batch by batch, brought to the host in {@code host}. */
    static HessianAccumulator accumulate(Engine engine, Tensor inputs, Arena host) {
        long tokens = inputs.rows();
        try (EngineArena work = engine.openArena()) {
            HessianAccumulator h = HessianAccumulator.create(work, "weight", (int) inputs.cols());
            for (long from = 0; from < tokens; from += BATCH) {
                h.add(engine, rows(inputs, from, Math.min(tokens, from + BATCH)));
            }
            return h.copyToHost(work, host);
        }
    }

    @Benchmark
    public void wandaPerRow50(Layer layer, Blackhole bh) {
        try (Arena arena = Arena.ofShared()) {
            LayerPruneResult r = Wanda.prune(layer.eng, layer.weight, layer.stats, PruneSpec.perRow(0.5), null, arena);
            bh.consume(r.mask().count());
        }
    }

    /** SparseGPT 50 % unstructured, block 128, from a ready Hessian; without the error computation. */
    @Benchmark
    public void sparseGpt50(Layer layer, Blackhole bh) {
        try (Arena arena = Arena.ofShared()) {
            LayerPruneResult r = SparseGpt.prune(layer.eng, layer.weight, layer.hessian, PruneSpec.perTensor(0.5),
                    SparseGpt.Options.DEFAULT.withComputeError(false), arena);
            bh.consume(r.mask().count());
        }
    }
}
