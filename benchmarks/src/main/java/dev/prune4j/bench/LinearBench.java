package dev.prune4j.bench;

import dev.prune4j.bench.shapes.BenchShapes;
import dev.prune4j.bench.timing.ByteLimit;
import dev.prune4j.bench.timing.LastLevelCache;
import dev.prune4j.engine.Engine;
import dev.prune4j.sparse.DeviceTiming;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.sparse.SparseLinear;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
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
 * <p>Each trial rotates through copies of the weight, X and Y that together exceed twice the
 * last-level cache ({@link LastLevelCache}), so a call never finds its weight cached from the call
 * before (a 4096 x 4096 F16 weight fits the build machine's 32 MiB L3 on its own). The trial's
 * layers are closed in its teardown, so a device engine gets their memory back. JMH cannot
 * alternate two methods within a trial: {@code ./prune4j bench} runs the paired measurement
 * ({@link LinearPairsBench}) for its reports; this class is for JMH users and the CI smoke run.
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

    private static final int MAX_COPIES = 16;

    private Engine eng;
    private Arena arena;
    private final List<SparseLinear> denseLayers = new ArrayList<>();
    private final List<SparseLinear> sparseLayers = new ArrayList<>();
    private DeviceTiming timing;
    private Tensor[] xs;
    private Tensor[] ys;
    private int next;

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
        int[] dims = BenchShapes.parse(shape);
        int e = type.byteSize();
        boolean device = kernels instanceof DeviceTiming;
        int copies = LastLevelCache.copiesToExceed(device ? LastLevelCache.H200_L2_BYTES : LastLevelCache.cpuBytes(),
                ByteLimit.denseBytes(dims[0], dims[1], tokens, e) + ByteLimit.sparse24Bytes(dims[0], dims[1], tokens, e),
                MAX_COPIES);
        arena = Arena.ofShared();
        xs = new Tensor[copies];
        ys = new Tensor[copies];
        for (int c = 0; c < copies; c++) {
            Tensor wd = c == 0 ? w.dense() : w.dense().copy(arena);
            Sparse24 ws = c == 0 ? w.sparse() : new Sparse24(w.sparse().name(), dims[0], dims[1],
                    w.sparse().values().copy(arena), w.sparse().meta().copy(arena));
            denseLayers.add(SparseLinear.dense("bench.dense", wd, null, kernels));
            sparseLayers.add(SparseLinear.sparse("bench.sparse24", ws, null, kernels));
            xs[c] = Tensor.allocate(arena, "x", type, tokens, dims[1]);
            BenchWeights.fillGaussian(xs[c], 1); // the same values at another address
            ys[c] = Tensor.allocate(arena, "y", type, tokens, dims[0]);
        }
    }

    /** How many copies the trial rotates through. */
    int copies() {
        return xs.length;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        denseLayers.forEach(SparseLinear::close);
        denseLayers.clear();
        sparseLayers.forEach(SparseLinear::close);
        sparseLayers.clear();
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
        int c = next();
        denseLayers.get(c).forward(xs[c], ys[c]);
        finish(kernel);
        return ys[c];
    }

    @Benchmark
    public Tensor sparse24(KernelTime kernel) {
        int c = next();
        sparseLayers.get(c).forward(xs[c], ys[c]);
        finish(kernel);
        return ys[c];
    }

    /** The next copy in rotation. */
    private int next() {
        int c = next;
        next = (c + 1) % xs.length;
        return c;
    }

    /** On a device: wait for the call's work and count its kernel time. */
    private void finish(KernelTime kernel) {
        if (timing != null) {
            timing.synchronize();
            kernel.add(timing.lastKernelNanos());
        }
    }
}
