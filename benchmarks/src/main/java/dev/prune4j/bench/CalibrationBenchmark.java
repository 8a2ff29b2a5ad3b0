package dev.prune4j.bench;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.HessianAccumulator;
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
 * Wanda and SparseGPT on one LLaMA-2-7B layer with 8192 calibration tokens, CPU engine, and the
 * Hessian accumulation. One call takes seconds, so each iteration is a single call.
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

    /** One layer {@code out x in} (F16 weights, F16 inputs) and its calibration statistics. */
    @State(Scope.Benchmark)
    public static class Layer {
        @Param({"4096x4096", "11008x4096"})
        public String shape;

        CpuEngine engine;
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
            engine = new CpuEngine();
            arena = Arena.ofShared();
            weight = gaussian(arena, "weight", out, in, 0.02, 1);
            inputs = gaussian(arena, "inputs", TOKENS, in, 1.0, 2);
            stats = ActivationStats.create(arena, "weight", in);
            stats.add(engine, inputs);
            hessian = HessianAccumulator.create(arena, "weight", in);
            hessian.add(engine, inputs);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            engine.close();
            arena.close();
        }
    }

    /** The 8192 x 4096 inputs alone, for the Hessian accumulation. */
    @State(Scope.Benchmark)
    public static class Inputs {
        CpuEngine engine;
        Arena arena;
        Tensor inputs;

        @Setup(Level.Trial)
        public void setUp() {
            engine = new CpuEngine();
            arena = Arena.ofShared();
            inputs = gaussian(arena, "inputs", TOKENS, 4096, 1.0, 3);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            engine.close();
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

    @Benchmark
    public void hessianAccumulation(Inputs in, Flops flops, Blackhole bh) {
        HessianAccumulator h;
        try (Arena arena = Arena.ofShared()) {
            h = HessianAccumulator.create(arena, "weight", 4096);
            h.add(in.engine, in.inputs);
            bh.consume(h.hessian().getFloat(12345));
        }
        flops.gflop += 2.0 * TOKENS * 4096.0 * 4096.0 / 1e9;
    }

    @Benchmark
    public void wandaPerRow50(Layer layer, Blackhole bh) {
        try (Arena arena = Arena.ofShared()) {
            LayerPruneResult r = Wanda.prune(layer.engine, layer.weight, layer.stats, PruneSpec.perRow(0.5), null, arena);
            bh.consume(r.mask().count());
        }
    }

    /** SparseGPT 50 % unstructured, block 128, from a ready Hessian; without the error computation. */
    @Benchmark
    public void sparseGpt50(Layer layer, Blackhole bh) {
        try (Arena arena = Arena.ofShared()) {
            LayerPruneResult r = SparseGpt.prune(layer.engine, layer.weight, layer.hessian, PruneSpec.perTensor(0.5),
                    SparseGpt.Options.DEFAULT.withComputeError(false), arena);
            bh.consume(r.mask().count());
        }
    }
}
