package dev.prune4j.bench.timing;

/**
 * Times two or more arms (dense and 2:4 of one layer) the honest way on the host: every iteration
 * runs each arm once, in order on even and reversed on odd iterations (neither arm always runs
 * first, so drift and turbo steps land on both), each arm on copy {@code i % copies} of its data (the
 * copies together exceed the last-level cache, so no call finds its weight cached), after a
 * warm-up of the same calls; every call is timed alone. Take medians of what comes back.
 */
public final class PairedTimer {
    /** One arm's call on one copy; returns the device kernel nanoseconds it measured, or -1. */
    @FunctionalInterface
    public interface Call {
        long run(int copy);
    }

    /**
     * Per arm and iteration: wall milliseconds of the call, and kernel milliseconds (NaN where the
     * call measured none); {@code warmupCalls} calls ran untimed first.
     */
    public record Result(double[][] wallMs, double[][] kernelMs, int iterations, int warmupCalls) {}

    /** How long to warm up and to measure, and the bounds on the iterations. */
    public record Settings(long warmupMs, long measureMs, int minIterations, int maxIterations) {
        public Settings {
            if (warmupMs < 0 || measureMs < 0 || minIterations < 1 || maxIterations < minIterations) {
                throw new IllegalArgumentException("warm-up " + warmupMs + " ms, measurement " + measureMs + " ms, "
                        + minIterations + ".." + maxIterations + " iterations");
            }
        }
    }

    private PairedTimer() {}

    public static Result time(Call[] arms, int copies, Settings s) {
        if (arms.length < 1 || copies < 1) {
            throw new IllegalArgumentException(arms.length + " arms, " + copies + " copies");
        }
        int warm = 0;
        long start = System.nanoTime();
        for (int i = 0; i < 2 || System.nanoTime() - start < s.warmupMs() * 1_000_000; i++) {
            for (int k = 0; k < arms.length; k++) {
                arms[armAt(i, k, arms.length)].run(i % copies);
                warm++;
            }
        }
        double[][] wall = new double[arms.length][s.maxIterations()];
        double[][] kernel = new double[arms.length][s.maxIterations()];
        int n = 0;
        start = System.nanoTime();
        while (n < s.minIterations() || (n < s.maxIterations() && System.nanoTime() - start < s.measureMs() * 1_000_000)) {
            for (int k = 0; k < arms.length; k++) {
                int arm = armAt(n, k, arms.length);
                long t0 = System.nanoTime();
                long nanos = arms[arm].run(n % copies);
                wall[arm][n] = (System.nanoTime() - t0) / 1e6;
                kernel[arm][n] = nanos >= 0 ? nanos / 1e6 : Double.NaN;
            }
            n++;
        }
        for (int a = 0; a < arms.length; a++) {
            wall[a] = java.util.Arrays.copyOf(wall[a], n);
            kernel[a] = java.util.Arrays.copyOf(kernel[a], n);
        }
        return new Result(wall, kernel, n, warm);
    }

    /** The arm that runs {@code k}-th in iteration {@code i}: forwards on even, backwards on odd iterations. */
    static int armAt(int i, int k, int arms) {
        return i % 2 == 0 ? k : arms - 1 - k;
    }
}
