package dev.prune4j.analysis;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.internal.parallel.Parallel;

/**
 * How a tensor of {@code numel} weights is cut into parallel tasks. The cut depends on the size
 * alone, never on the thread count, so floating-point sums combine in the same order everywhere.
 */
final class TaskSplit {
    /** Task boundaries are multiples of this many elements (also the F32 partial size). */
    static final int ALIGN = 1 << 16;
    /** Fewest elements worth a task of their own. */
    static final long TASK_MIN = 1 << 20;
    /** Most tasks per tensor; bounds the per-task partial results that must be merged. */
    static final int MAX_TASKS = 64;

    private TaskSplit() {}

    /** The threads of {@code engine}, or the JVM's common pool when it is {@code null}. */
    static Parallel parallel(CpuEngine engine) {
        return engine == null ? Parallel.commonPool() : engine::parallelFor;
    }

    static int tasks(long numel) {
        return (int) Math.max(1, Math.min(MAX_TASKS, (numel + TASK_MIN - 1) / TASK_MIN));
    }

    /** First element of task {@code k} of {@code tasks} ({@code k == tasks} gives {@code numel}). */
    static long start(long numel, int k, int tasks) {
        long units = (numel + ALIGN - 1) / ALIGN;
        return Math.min(numel, (units * k / tasks) * ALIGN);
    }
}
