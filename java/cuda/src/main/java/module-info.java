/**
 * The CUDA engine behind prune4j-core's engine SPI, found by {@link java.util.ServiceLoader}: put
 * this module (or jar) beside prune4j-core and {@code Engines.create("auto")} uses the GPU when one
 * is usable. It carries {@code libprune4j.so} and needs {@code --enable-native-access}.
 */
module dev.prune4j.cuda {
    requires dev.prune4j.core;
    requires dev.prune4j.bindings;

    exports dev.prune4j.cuda;

    provides dev.prune4j.engine.EngineProvider with dev.prune4j.cuda.CudaEngineProvider;
}
