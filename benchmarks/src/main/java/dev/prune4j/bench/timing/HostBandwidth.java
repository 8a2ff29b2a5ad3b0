package dev.prune4j.bench.timing;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Host memory read bandwidth for the CPU byte limit: a Java streaming read of a buffer far beyond
 * the last-level cache (benchmarks take {@link #LIMIT_BYTES}, 1 GiB), split across {@code threads}
 * platform threads as the CPU kernels split a layer. Three untimed reads first (JIT, page faults),
 * then {@code reads} timed ones; the fastest is the limit's bandwidth (no call moves its bytes
 * faster than the fastest read).
 */
public final class HostBandwidth {
    /** What a byte limit reads: far beyond any last-level cache (more than 512 MiB). */
    public static final long LIMIT_BYTES = 1L << 30;
    /** The least this reads at all (tests read little; a limit needs {@link #LIMIT_BYTES}). */
    public static final long MIN_BYTES = 1L << 20;

    /** Bytes per second of the fastest read, and every read's seconds. */
    public record Result(long bytes, int threads, double bytesPerSecond, double[] seconds) {}

    private HostBandwidth() {}

    public static Result measure(long bytes, int threads, int reads) {
        if (bytes < MIN_BYTES || bytes % 4096 != 0 || threads < 1 || reads < 1) {
            throw new IllegalArgumentException("bandwidth read of " + bytes + " bytes (a multiple of 4096, at least "
                    + MIN_BYTES + ") on " + threads + " threads, " + reads + " reads");
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "prune4j-bandwidth");
            t.setDaemon(true);
            return t;
        });
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(bytes, 4096);
            buffer.fill((byte) 1); // touch every page before timing
            long sink = 0;
            for (int i = 0; i < 3; i++) {
                sink += read(pool, buffer, threads);
            }
            double[] seconds = new double[reads];
            for (int i = 0; i < reads; i++) {
                long t0 = System.nanoTime();
                sink += read(pool, buffer, threads);
                seconds[i] = (System.nanoTime() - t0) / 1e9;
            }
            if (sink == 42) {
                System.out.print(""); // keeps the sums alive
            }
            return new Result(bytes, threads, bytes / Stats.min(seconds), seconds);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long read(ExecutorService pool, MemorySegment buffer, int threads) {
        long words = buffer.byteSize() / 8;
        long per = (words + threads - 1) / threads;
        Future<?>[] parts = new Future<?>[threads];
        long[] sums = new long[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            long from = Math.min(words, t * per);
            long to = Math.min(words, from + per);
            parts[t] = pool.submit(() -> sums[id] = sum(buffer, from, to));
        }
        long total = 0;
        for (int t = 0; t < threads; t++) {
            try {
                parts[t].get();
            } catch (Exception e) {
                throw new IllegalStateException("bandwidth read failed", e);
            }
            total += sums[t];
        }
        return total;
    }

    /** Four independent sums, so the loop is bound by loads rather than by one addition chain. */
    private static long sum(MemorySegment m, long from, long to) {
        long a = 0;
        long b = 0;
        long c = 0;
        long d = 0;
        long i = from;
        for (; i + 4 <= to; i += 4) {
            a += m.getAtIndex(ValueLayout.JAVA_LONG, i);
            b += m.getAtIndex(ValueLayout.JAVA_LONG, i + 1);
            c += m.getAtIndex(ValueLayout.JAVA_LONG, i + 2);
            d += m.getAtIndex(ValueLayout.JAVA_LONG, i + 3);
        }
        for (; i < to; i++) {
            a += m.getAtIndex(ValueLayout.JAVA_LONG, i);
        }
        return a + b + c + d;
    }
}
