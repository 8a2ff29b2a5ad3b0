package dev.prune4j.bench;

import dev.prune4j.engine.Engine;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.Magnitude;
import dev.prune4j.checkpoint.TensorSelector;
import dev.prune4j.safetensors.TensorSpec;
import dev.prune4j.synth.LlamaShape;
import dev.prune4j.synth.SyntheticLlama;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Global magnitude 50 % over every linear layer of a whole synthetic LLaMA-2-7B (224 tensors, 6.5 G
 * weights): one exact threshold for the model ({@link Magnitude#pruneGlobal}), histogram passes over
 * all tensors and a mask pass.
 *
 * <p>A 7B checkpoint is 13.5 GB in F16, more than a shared 2-core machine should hold for a benchmark,
 * and generating it takes minutes. So one layer's seven projections are generated (0.4 GB) and every
 * layer's tensors are views of them under that layer's names: the engine reads 6.5 G weights per pass
 * exactly as for a real model, only the values repeat every layer. The 224 masks (0.8 GB of bits)
 * live on the heap, hence {@code -Xmx3g}. One call takes tens of seconds on two cores, so the quick CPU
 * profile leaves this benchmark out.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
        "-Xmx3g"})
@State(Scope.Benchmark)
public class GlobalMagnitudeBench {
    @Param({"llama-7b"})
    public String model;

    @Param({"F16"})
    public String dtype;

    @Param({"cpu", "cuda"})
    public String engine;

    private Engine eng;
    private Arena arena;
    private List<Tensor> tensors;

    @Setup(Level.Trial)
    public void setUp() {
        eng = BenchEngines.create(engine);
        arena = Arena.ofShared();
        DType type = DType.valueOf(dtype);
        LlamaShape shape = LlamaShape.named(model);
        SyntheticLlama synth = new SyntheticLlama(shape.withLayers(1), type, 1);
        TensorSelector linear = TensorSelector.linearLayers();
        // Layer 0's projections, generated once, keyed by what follows "model.layers.0.".
        Map<String, Tensor> layer0 = new HashMap<>();
        for (TensorSpec spec : synth.tensors()) {
            if (linear.selects(spec.name(), spec.dtype(), spec.shape())) {
                Tensor t = Tensor.allocate(arena, spec.name(), type, spec.shape());
                BenchWeights.fillWeight(t, type);
                layer0.put(spec.name().substring("model.layers.0.".length()), t);
            }
        }
        tensors = new ArrayList<>();
        for (TensorSpec spec : new SyntheticLlama(shape, type, 1).tensors()) {
            if (linear.selects(spec.name(), spec.dtype(), spec.shape())) {
                String suffix = spec.name().replaceFirst("^model\\.layers\\.\\d+\\.", "");
                tensors.add(layer0.get(suffix).withName(spec.name()));
            }
        }
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
    public List<Mask> global50() {
        return Magnitude.pruneGlobal(eng, tensors, null, 0.5);
    }
}
