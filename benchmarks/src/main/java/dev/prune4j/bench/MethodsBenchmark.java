package dev.prune4j.bench;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.owl.OwlAllocation;
import dev.prune4j.owl.OwlOptions;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.refine.SparseSwaps;
import dev.prune4j.ria.Ria;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.wanda.Wanda;
import java.lang.foreign.Arena;
import java.util.List;
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
 * RIA, OWL's outlier ratio and SparseSwaps on one 4096 x 4096 F16 layer with 8192 calibration
 * tokens, the layer and statistics of {@link CalibrationBenchmark} (same generator), so the times
 * sit beside Wanda's and SparseGPT's there. Every call starts from host memory. The statistics,
 * and for SparseSwaps the starting Wanda masks, are made once in the set-up on the CPU engine; a
 * SparseSwaps call times the refinement alone (the {@code D H} product and the swaps).
 *
 * <p>The engine parameter is {@code cpu} only until the CUDA engine has these kernels (without
 * them a method runs on the CPU, see {@code EngineLease}).
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -jar benchmarks/target/prune4j-benchmarks.jar
 * MethodsBenchmark -f 1 -wi 1 -i 2 -rf json -rff methods.json}
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
public class MethodsBenchmark {
    static final int TOKENS = 8192;
    static final int SIZE = 4096;

    /** The layer, its statistics, and Wanda's 50 % per-row and 2:4 masks to refine. */
    @State(Scope.Benchmark)
    public static class Layer {
        @Param({"cpu"})
        public String engine;

        Engine eng;
        Arena arena;
        Tensor weight;
        ActivationStats stats;
        HessianAccumulator hessian;
        LayerPruneResult wanda50;
        LayerPruneResult wanda24;

        @Setup(Level.Trial)
        public void setUp() {
            eng = BenchEngines.create(engine);
            arena = Arena.ofShared();
            weight = CalibrationBenchmark.gaussian(arena, "weight", SIZE, SIZE, 0.02, 1);
            Tensor inputs = CalibrationBenchmark.gaussian(arena, "inputs", TOKENS, SIZE, 1.0, 2);
            try (CpuEngine cpu = new CpuEngine()) {
                stats = ActivationStats.create(arena, "weight", SIZE);
                stats.add(cpu, inputs);
                hessian = HessianAccumulator.create(arena, "weight", SIZE);
                hessian.add(cpu, inputs);
                wanda50 = Wanda.prune(cpu, weight, stats, PruneSpec.perRow(0.5), null, arena);
                wanda24 = Wanda.prune(cpu, weight, stats, PruneSpec.nm(2, 4), null, arena);
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

    /** How many swaps a SparseSwaps call made (the work varies with the data, not only the shape). */
    @AuxCounters(AuxCounters.Type.EVENTS)
    @State(Scope.Thread)
    public static class Swaps {
        public long swaps;
    }

    @Benchmark
    public void riaPerTensor50(Layer layer, Blackhole bh) {
        try (Arena arena = Arena.ofShared()) {
            LayerPruneResult r = Ria.prune(layer.eng, layer.weight, layer.stats, PruneSpec.perTensor(0.5),
                    Ria.Options.DEFAULT, null, arena);
            bh.consume(r.mask().count());
        }
    }

    @Benchmark
    public void ria24(Layer layer, Blackhole bh) {
        try (Arena arena = Arena.ofShared()) {
            LayerPruneResult r = Ria.prune(layer.eng, layer.weight, layer.stats, PruneSpec.nm(2, 4),
                    Ria.Options.DEFAULT, null, arena);
            bh.consume(r.mask().count());
        }
    }

    /** OWL's per-layer work: the outlier ratio (two passes of Wanda scores: the mean, then the count). */
    @Benchmark
    public void owlOutlierRatio(Layer layer, Blackhole bh) {
        bh.consume(OwlAllocation.outlierRatio(layer.eng, List.of(layer.weight), List.of(layer.stats),
                OwlOptions.DEFAULT.m()));
    }

    /** SparseSwaps on Wanda's 50 % per-row mask, default options (at most 100 swaps a row, 32 candidates). */
    @Benchmark
    public void sparseSwapsAfterWanda50(Layer layer, Swaps swaps, Blackhole bh) {
        try (Arena arena = Arena.ofShared()) {
            SparseSwaps.Refinement r = SparseSwaps.refine(layer.eng, layer.weight, layer.wanda50, layer.hessian,
                    PruneSpec.perRow(0.5), SparseSwaps.Options.DEFAULT, arena);
            swaps.swaps += r.swaps();
            bh.consume(r.result().mask().count());
        }
    }

    /** SparseSwaps on Wanda's 2:4 mask (every pair of each group tried). */
    @Benchmark
    public void sparseSwapsAfterWanda24(Layer layer, Swaps swaps, Blackhole bh) {
        try (Arena arena = Arena.ofShared()) {
            SparseSwaps.Refinement r = SparseSwaps.refine(layer.eng, layer.weight, layer.wanda24, layer.hessian,
                    PruneSpec.nm(2, 4), SparseSwaps.Options.DEFAULT, arena);
            swaps.swaps += r.swaps();
            bh.consume(r.result().mask().count());
        }
    }
}
