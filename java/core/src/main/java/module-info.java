/**
 * prune4j's library: tensors and bitset masks, safetensors I/O, magnitude / N:M / iterative,
 * Wanda, SparseGPT and RIA pruning behind one method SPI, OWL layerwise sparsities, SparseSwaps mask
 * refinement, whole-checkpoint pruning, 2:4 sparse layers,
 * analysis, and the pure-Java CPU engine. No dependency beyond the JDK; the CUDA engine plugs in
 * through {@link dev.prune4j.engine.EngineProvider} (the prune4j-cuda module).
 *
 * <p>The {@code dev.prune4j.internal} packages (kernels, the Vector API gate, JSON) are not exported.
 */
module dev.prune4j.core {
    requires java.logging;
    // The CPU kernels use the incubating Vector API when the application enables it
    // (--add-modules jdk.incubator.vector); without it they fall back to plain Java.
    requires static jdk.incubator.vector;

    exports dev.prune4j.analysis;
    exports dev.prune4j.calib;
    exports dev.prune4j.checkpoint;
    exports dev.prune4j.engine;
    exports dev.prune4j.engine.cpu;
    exports dev.prune4j.io;
    exports dev.prune4j.mask;
    exports dev.prune4j.method;
    exports dev.prune4j.owl;
    exports dev.prune4j.prune;
    exports dev.prune4j.refine;
    exports dev.prune4j.ria;
    exports dev.prune4j.safetensors;
    exports dev.prune4j.sparse;
    exports dev.prune4j.sparsegpt;
    exports dev.prune4j.synth;
    exports dev.prune4j.tensor;
    exports dev.prune4j.wanda;

    uses dev.prune4j.engine.EngineProvider;
    provides dev.prune4j.engine.EngineProvider with dev.prune4j.engine.cpu.CpuEngineProvider;
}
