package dev.prune4j.bench;

import dev.prune4j.engine.Engine;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.Magnitude;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.Scope;
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
 * the shape: {@code out * in / time}. Per engine: {@code cuda} includes the copies of the tensor to
 * the device and of the mask back, as every {@code CudaEngine} call does. {@link GlobalMagnitudeBench}
 * runs the same selection over a whole 7B model.
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

    /** {@code cuda} fails its setup at once where no GPU is usable (see {@link BenchEngines}). */
    @Param({"cpu", "cuda"})
    public String engine;

    private Arena arena;
    private Engine eng;
    private Tensor weight;

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        eng = BenchEngines.create(engine);
        arena = Arena.ofShared();
        DType type = DType.valueOf(dtype);
        weight = Tensor.allocate(arena, "model.layers.0.mlp.up_proj.weight", type,
                Long.parseLong(dims[0]), Long.parseLong(dims[1]));
        BenchWeights.fillWeight(weight, type);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (eng != null) {
            eng.close();
        }
        if (arena != null) {
            arena.close();
        }
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
