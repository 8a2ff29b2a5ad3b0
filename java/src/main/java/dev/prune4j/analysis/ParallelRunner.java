package dev.prune4j.analysis;

import dev.prune4j.engine.CpuEngine;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** Runs {@code body(i)} for {@code i} in {@code [0, n)}, possibly in parallel. */
@FunctionalInterface
interface ParallelRunner {
    void run(int n, IntConsumer body);

    /** The common fork-join pool, through a parallel stream. */
    static ParallelRunner commonPool() {
        return (n, body) -> IntStream.range(0, n).parallel().forEach(body);
    }

    /** The threads of a CPU engine; {@code null} means the common pool. */
    static ParallelRunner of(CpuEngine engine) {
        return engine == null ? commonPool() : engine::parallelFor;
    }
}
