package dev.prune4j.model.eval.lm;

import java.lang.management.ManagementFactory;

/**
 * Wall and CPU time of this process since a start: on a machine shared with other work the wall
 * clock counts their share too, the CPU time does not.
 */
final class ProcessClock {
    private final long wallStart = System.nanoTime();
    private final long cpuStart = cpuNanos();

    double wallSeconds() {
        return (System.nanoTime() - wallStart) / 1e9;
    }

    double cpuSeconds() {
        long now = cpuNanos();
        return now < 0 || cpuStart < 0 ? Double.NaN : (now - cpuStart) / 1e9;
    }

    /** The process's CPU time, or -1 where the JVM cannot tell. */
    static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }
}
