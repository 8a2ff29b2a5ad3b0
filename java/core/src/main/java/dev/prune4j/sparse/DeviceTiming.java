package dev.prune4j.sparse;

/**
 * Implemented by {@link LinearKernels} that run asynchronously on a device (the CUDA engine's), so a
 * benchmark can time them honestly: {@link #synchronize()} waits for the queued work after every call
 * (the call's wall time then includes the kernel), and {@link #lastKernelNanos()} gives the device
 * time of the kernels of the last call, measured with events recorded around them on the stream
 * ({@code cudaEventRecord} before and after, {@code cudaEventElapsedTime} after the synchronisation).
 * The two together show call overhead (argument checks, copies, launch) and kernel time apart.
 *
 * <p>CPU kernels are synchronous and do not implement this. {@code LinearBench} in the benchmarks
 * module is the reader: it calls {@link #synchronize()} after each forward and adds
 * {@link #lastKernelNanos()} to its {@code kernelNs} counter when it is not negative.
 */
public interface DeviceTiming {
    /** Blocks until every kernel and copy this object queued has finished. */
    void synchronize();

    /**
     * Device time in nanoseconds of the kernels (the GEMM itself, not host copies) of the most recent
     * completed call from this thread, or {@code -1} when it was not measured.
     */
    long lastKernelNanos();
}
