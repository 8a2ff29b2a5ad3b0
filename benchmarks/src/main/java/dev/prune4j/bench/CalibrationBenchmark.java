package dev.prune4j.bench;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.cpu.CpuEngine;
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
 * Wanda and SparseGPT on one LLaMA-2-7B layer with 8192 calibration tokens, and the Hessian
 * accumulation, on the CPU or the CUDA engine. Every call starts from host memory, as a user's
 * does: the weight (and the inputs) cross the bus inside the timed call and the result comes
 * back, so a device number includes its transfers. The calibration statistics are computed once
 * in the set-up, on the CPU engine, so both engines prune the same layer from the same statistics.
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
    static final int TOKENS = 8192;
    /** Calibration tokens per Hessian update: 16 sequences of 128, or 4 of 512. */
    static final int BATCH = 2048;

    /** One layer {@code out x in} (F16 weights, F16 inputs) and its calibration statistics. */
    @State(Scope.Benchmark)
    public static class Layer {
        @Param({"4096x4096", "11008x4096"})
        public String shape;

        @Param({"cpu", "cuda"})
        public String engine;

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
            inputs = gaussian(arena, "inputs", TOKENS, in, 1.0, 2);
            try (CpuEngine cpu = new CpuEngine()) {
                stats = ActivationStats.create(arena, "weight", in);
                stats.add(cpu, inputs);
                hessian = HessianAccumulator.create(arena, "weight", in);
                hessian.add(cpu, inputs);
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

    /** The 8192 x 4096 inputs alone, for the Hessian accumulation. */
    @State(Scope.Benchmark)
    public static class Inputs {
        @Param({"cpu", "cuda"})
        public String engine;

        Engine eng;
        Arena arena;
        Tensor inputs;

        @Setup(Level.Trial)
        public void setUp() {
            eng = BenchEngines.create(engine);
            arena = Arena.ofShared();
            inputs = gaussian(arena, "inputs", TOKENS, 4096, 1.0, 3);
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
     * The Hessian of 8192 tokens fed in batches of {@link #BATCH} (as a calibration pass streams
     * them), kept on the engine's device, then brought to the host where SparseGPT reads it.
     */
    @Benchmark
    public void hessianAccumulation(Inputs in, Flops flops, Blackhole bh) {
        try (Arena host = Arena.ofShared(); EngineArena work = in.eng.openArena()) {
            HessianAccumulator h = HessianAccumulator.create(work, "weight", 4096);
            for (long from = 0; from < TOKENS; from += BATCH) {
                h.add(in.eng, rows(in.inputs, from, Math.min(TOKENS, from + BATCH)));
            }
            Tensor result = Tensor.allocate(host, "weight.hessian", DType.F32, 4096, 4096);
            work.download(h.hessian(), result);
            bh.consume(result.getFloat(12345));
        }
        flops.gflop += 2.0 * TOKENS * 4096.0 * 4096.0 / 1e9;
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
