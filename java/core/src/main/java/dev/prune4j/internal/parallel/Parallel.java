package dev.prune4j.internal.parallel;

import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The one parallel-for of the CPU code: runs {@code body(i)} for {@code i} in {@code [0, n)},
 * possibly on several threads. {@link #SEQUENTIAL} runs in order on the caller's thread;
 * {@link #on(ForkJoinPool)} runs on a pool (the CPU engine's), {@link #commonPool()} on the JVM's.
 *
 * <p>A segment from a confined arena can only be touched by its owner thread, so
 * {@link #forEach(Tensor[], int, IntConsumer)} runs on the caller's thread when any tensor involved
 * is confined, and in parallel otherwise.
 */
@FunctionalInterface
public interface Parallel {
    void forEach(int n, IntConsumer body);

    /** As {@link #forEach(int, IntConsumer)}, sequentially when a tensor's memory is confined to this thread. */
    default void forEach(Tensor[] touched, int n, IntConsumer body) {
        for (Tensor t : touched) {
            if (!sharedAcrossThreads(t.data())) {
                SEQUENTIAL.forEach(n, body);
                return;
            }
        }
        forEach(n, body);
    }

    /** One thread, in order. */
    Parallel SEQUENTIAL = (n, body) -> {
        for (int i = 0; i < n; i++) {
            body.accept(i);
        }
    };

    /** The JVM's common fork-join pool. */
    static Parallel commonPool() {
        return on(ForkJoinPool.commonPool());
    }

    /** The threads of {@code pool}; single tasks run on the caller's thread. */
    static Parallel on(ForkJoinPool pool) {
        return (n, body) -> {
            if (n <= 1 || pool.getParallelism() == 1) {
                SEQUENTIAL.forEach(n, body);
            } else {
                pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
            }
        };
    }

    /** Whether threads other than the segment's owner may read it. */
    static boolean sharedAcrossThreads(MemorySegment segment) {
        return segment.isAccessibleBy(Probe.THREAD);
    }

    /** Never started: only asked whether a segment is accessible from a thread that is not its owner. */
    final class Probe {
        static final Thread THREAD = new Thread(() -> {});

        private Probe() {}
    }
}
