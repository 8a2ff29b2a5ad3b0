package dev.prune4j.engine.cpu;

import java.util.function.IntConsumer;

/** Runs {@code body(i)} for {@code i} in {@code [0, n)}, possibly on several threads. */
@FunctionalInterface
public interface Parallel {
    void forEach(int n, IntConsumer body);

    /** One thread, in order: what an engine without its own thread pool uses. */
    Parallel SEQUENTIAL = (n, body) -> {
        for (int i = 0; i < n; i++) {
            body.accept(i);
        }
    };
}
