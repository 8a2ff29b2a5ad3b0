package dev.prune4j.bench;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Engines;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.Magnitude;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.Scope;
import dev.prune4j.synth.LlamaShape;
import dev.prune4j.synth.SyntheticLlama;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Magnitude mask kernels on one LLaMA projection: the exact global-style selection (histogram
 * passes + mask pass), per-row selection, and 2:4. Throughput in weights per second follows from
 * the shape: {@code out * in / time}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
public class MaskBench {
    /** {@code out x in}, from the ARCHITECTURE.md table. */
    @Param({"4096x4096", "11008x4096"})
    public String shape;

    @Param({"F16", "BF16", "F32"})
    public String dtype;

    @Param({"cpu"})
    public String engine;

    private Arena arena;
    private Engine eng;
    private Tensor weight;

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        arena = Arena.ofShared();
        eng = Engines.create(engine);
        DType type = DType.valueOf(dtype);
        weight = Tensor.allocate(arena, "model.layers.0.mlp.up_proj.weight", type,
                Long.parseLong(dims[0]), Long.parseLong(dims[1]));
        SyntheticLlama synth = new SyntheticLlama(LlamaShape.TINY, type, 1);
        for (int b = 0; b < SyntheticLlama.blocks(weight.numel()); b++) {
            synth.fillBlock(weight, b);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        eng.close();
        arena.close();
    }

    @Benchmark
    public List<Mask> tensorMagnitude50() {
        return Magnitude.pruneGlobal(eng, List.of(weight), null, 0.5);
    }

    @Benchmark
    public Mask rowMagnitude50() {
        return Magnitude.prune(eng, weight, 0.5, Scope.ROW);
    }

    @Benchmark
    public Mask nm24() {
        return Magnitude.pruneNm(eng, weight, NmPattern.TWO_FOUR);
    }
}
