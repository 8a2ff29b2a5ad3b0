package dev.prune4j.bench;

import dev.prune4j.engine.Engine;
import dev.prune4j.sparse.DeviceTiming;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.sparse.SparseLinear;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
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

/**
 * One linear layer {@code Y = X W^T}, dense vs 2:4, through {@link SparseLinear#forward(Tensor, Tensor)}
 * on an engine's {@link LinearKernels}: the same magnitude-2:4-pruned weight held dense
 * ({@link #dense}) and compressed ({@link #sparse24}), X and Y in the weight's dtype. The report's
 * speedup is {@code dense / sparse24} at equal parameters.
 *
 * <p>On a device engine whose kernels implement {@link DeviceTiming}, every call is followed by a
 * stream synchronisation (so JMH's time is the whole call, kernel included) and the kernels' own
 * device time is summed into {@link KernelTime}'s counters.
 *
 * <p>Defaults are the ARCHITECTURE.md table; the suite runner ({@link BenchMain}) narrows them per
 * profile. Parameter names sort as they vary (dtype, engine, shape, then tokens fastest), so
 * consecutive trials share a weight that {@link BenchWeights} keeps when they run in one JVM.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class LinearBench {
    /** {@code out x in}, from the ARCHITECTURE.md table. */
    @Param({"4096x4096", "11008x4096", "4096x11008", "5120x5120", "13824x5120", "5120x13824", "8192x8192",
            "1024x8192", "28672x8192", "8192x28672"})
    public String shape;

    @Param({"1", "16", "128", "2048", "8192"})
    public int tokens;

    @Param({"F16", "BF16"})
    public String dtype;

    @Param({"cpu", "cuda"})
    public String engine;

    private Engine eng;
    private Arena arena;
    private SparseLinear denseLayer;
    private SparseLinear sparseLayer;
    private DeviceTiming timing;
    private Tensor x;
    private Tensor y;

    @Setup(Level.Trial)
    public void setUp() {
        eng = BenchEngines.create(engine);
        try {
            prepare(eng.linearKernels());
        } catch (RuntimeException | Error e) {
            tearDown();
            throw e;
        }
    }

    /** Builds the two layers and the activations on {@code kernels} (tests pass their own). */
    void prepare(LinearKernels kernels) {
        DType type = DType.valueOf(dtype);
        timing = kernels instanceof DeviceTiming t ? t : null;
        BenchWeights.Prepared w = BenchWeights.twoFour(shape, type);
        denseLayer = SparseLinear.dense("bench.dense", w.dense(), null, kernels);
        sparseLayer = SparseLinear.sparse("bench.sparse24", w.sparse(), null, kernels);
        arena = Arena.ofShared();
        x = Tensor.allocate(arena, "x", type, tokens, denseLayer.inFeatures());
        BenchWeights.fillGaussian(x, 1);
        y = Tensor.allocate(arena, "y", type, tokens, denseLayer.outFeatures());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
        if (eng != null) {
            eng.close();
            eng = null;
        }
    }

    @Benchmark
    public Tensor dense(KernelTime kernel) {
        denseLayer.forward(x, y);
        finish(kernel);
        return y;
    }

    @Benchmark
    public Tensor sparse24(KernelTime kernel) {
        sparseLayer.forward(x, y);
        finish(kernel);
        return y;
    }

    /** On a device: wait for the call's work and count its kernel time. */
    private void finish(KernelTime kernel) {
        if (timing != null) {
            timing.synchronize();
            kernel.add(timing.lastKernelNanos());
        }
    }
}
