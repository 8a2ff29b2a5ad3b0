package dev.prune4j.calib;

import dev.prune4j.io.FreeSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Memory outside the Java heap, checked before a large allocation. Hessians and the other layer
 * statistics live in native memory (arenas), which {@code -Xmx} does not bound: a layer of 46,000
 * inputs asks for an 8.5 GB Hessian, and without a check the allocation fails with an
 * {@link OutOfMemoryError} (or the kernel's OOM killer ends the process) after the work before it.
 *
 * <p>What is available is the least of what Linux reports: {@code MemAvailable} of
 * {@code /proc/meminfo}, the cgroup's limit less its usage (v2 and v1), and the address-space limit
 * ({@code ulimit -v}) less the process's size. Where none can be read, nothing is refused.
 */
public final class NativeMemory {
    private static final NativeMemory SYSTEM = new NativeMemory(NativeMemory::readAvailable);

    private final LongSupplier available;

    NativeMemory(LongSupplier available) {
        this.available = available;
    }

    /** The machine's memory as Linux reports it. */
    public static NativeMemory system() {
        return SYSTEM;
    }

    /** Bytes available for new allocations; {@link Long#MAX_VALUE} when unknown. */
    public long available() {
        return available.getAsLong();
    }

    /**
     * Throws {@link InsufficientMemoryException} (with the numbers) unless {@code bytes} are
     * available; {@code what} says for what, naming the tensor.
     */
    public void require(long bytes, String what) {
        long free = available();
        if (bytes > free) {
            throw new InsufficientMemoryException(what + " needs " + FreeSpace.human(bytes) + " of memory but only "
                    + FreeSpace.human(free) + " are available" + limitNote(), bytes, free);
        }
    }

    /**
     * Runs {@code allocation}, turning an {@link OutOfMemoryError} (the check passed, but another
     * allocation won the race, or the estimate was short) into the same one-line error.
     */
    public static <T> T allocating(long bytes, String what, java.util.function.Supplier<T> allocation) {
        try {
            return allocation.get();
        } catch (OutOfMemoryError e) {
            throw new InsufficientMemoryException(what + " needs " + FreeSpace.human(bytes)
                    + " of memory and the allocation failed (" + e.getMessage() + ")", bytes, -1);
        }
    }

    private static String limitNote() {
        return " (memory available, cgroup limit and ulimit -v, whichever is least)";
    }

    private static long readAvailable() {
        List<OptionalLong> limits = new ArrayList<>();
        limits.add(meminfo("MemAvailable:"));
        limits.add(difference(number(Path.of("/sys/fs/cgroup/memory.max")), number(Path.of("/sys/fs/cgroup/memory.current"))));
        limits.add(difference(number(Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes")),
                number(Path.of("/sys/fs/cgroup/memory/memory.usage_in_bytes"))));
        limits.add(difference(addressSpaceLimit(), processSize()));
        long least = Long.MAX_VALUE;
        for (OptionalLong l : limits) {
            if (l.isPresent()) {
                least = Math.min(least, Math.max(0, l.getAsLong()));
            }
        }
        return least;
    }

    private static OptionalLong difference(OptionalLong limit, OptionalLong used) {
        return limit.isPresent() && used.isPresent() ? OptionalLong.of(limit.getAsLong() - used.getAsLong())
                : OptionalLong.empty();
    }

    /** A file holding one number (cgroup files); "max" or a huge v1 value means no limit. */
    private static OptionalLong number(Path file) {
        try {
            String s = Files.readString(file).strip();
            long v = Long.parseLong(s);
            return v >= (1L << 60) ? OptionalLong.empty() : OptionalLong.of(v);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** A {@code /proc/meminfo} line in bytes. */
    private static OptionalLong meminfo(String key) {
        return kilobytesLine(Path.of("/proc/meminfo"), key);
    }

    private static OptionalLong processSize() {
        return kilobytesLine(Path.of("/proc/self/status"), "VmSize:");
    }

    private static OptionalLong kilobytesLine(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    String[] parts = line.substring(key.length()).trim().split("\\s+");
                    return OptionalLong.of(Long.parseLong(parts[0]) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: unknown
        }
        return OptionalLong.empty();
    }

    /** {@code ulimit -v}: the soft "Max address space" of {@code /proc/self/limits}, in bytes. */
    private static OptionalLong addressSpaceLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max address space")) {
                    String soft = line.substring("Max address space".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(soft));
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return OptionalLong.empty();
    }

    /** Not enough memory for a layer's statistics or working set. */
    public static final class InsufficientMemoryException extends IllegalArgumentException {
        private final long needed;
        private final long available;

        InsufficientMemoryException(String message, long needed, long available) {
            super(message);
            this.needed = needed;
            this.available = available;
        }

        public long needed() {
            return needed;
        }

        /** Bytes that were available, or -1 when the allocation itself failed. */
        public long available() {
            return available;
        }
    }
}
