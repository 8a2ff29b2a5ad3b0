package dev.prune4j.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Device kernel time beside JMH's wall time per call: the sum of the kernel nanoseconds a
 * {@link dev.prune4j.sparse.DeviceTiming} reported and the number of calls that reported one. JMH
 * writes both to its JSON as secondary metrics ({@code kernelNs}, {@code kernelCalls}); the report
 * divides one by the other. Both stay 0 on the CPU engine, whose kernels are not timed apart.
 */
@AuxCounters(AuxCounters.Type.EVENTS)
@State(Scope.Thread)
public class KernelTime {
    /** Sum of the device nanoseconds of the timed calls of this iteration. */
    public long kernelNs;
    /** Number of calls that reported a device time in this iteration. */
    public long kernelCalls;

    @Setup(Level.Iteration)
    public void reset() {
        kernelNs = 0;
        kernelCalls = 0;
    }

    /** Adds one call's device time; a negative value (not measured) is left out. */
    void add(long nanos) {
        if (nanos >= 0) {
            kernelNs += nanos;
            kernelCalls++;
        }
    }
}
