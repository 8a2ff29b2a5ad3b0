package dev.prune4j.bench.report;

/**
 * One case of a paired dense vs 2:4 layer benchmark (JSON lines of {@value #FORMAT}): GpuGemmBench
 * on the GPU (device kernel times from CUDA events, and Java wall times beside them) or
 * LinearPairsBench on the CPU (call times, which on the CPU are the kernel's), with the bytes one
 * call must move and the bandwidth measured in the same run.
 *
 * @param device         {@code cuda} or {@code cpu}: the table it goes to
 * @param shape          {@code out x in} ({@code 4096x11008})
 * @param sparseBackend  the 2:4 kernel that ran ({@code DECODE}, {@code CUTLASS_SM90}, ...; {@code cpu} on the CPU)
 * @param denseKernelMs  median device time of a dense call, NaN where not measured (the CPU)
 * @param denseWallMs    median wall time of a dense call as Java sees it
 * @param bytesDense     bytes a dense call moves at least (W, X, Y)
 * @param bytesSparse    the same for the 2:4 call (half the values, the metadata, X, Y)
 * @param bandwidthGbs   read bandwidth of the same run, GB/s (the byte limit's denominator)
 * @param copies         rotating copies of W, X and Y (together beyond twice the last-level cache)
 * @param error          why the case has no times, or null
 * @param source         the file it came from
 */
public record GemmResult(String device, String gpu, String shape, int tokens, String dtype, String sparseBackend,
                         double denseKernelMs, double sparseKernelMs, double denseWallMs, double sparseWallMs,
                         long bytesDense, long bytesSparse, double bandwidthGbs, int copies, boolean flushL2,
                         String error, String source) {
    public static final String FORMAT = "prune4j-gemm/1";

    /** Device kernel times for both arms (the GPU); otherwise the headline is the wall time. */
    public boolean hasKernelTimes() {
        return denseKernelMs > 0 && sparseKernelMs > 0;
    }

    /** The headline dense time: kernel time where measured, else the call's wall time. */
    public double denseMs() {
        return hasKernelTimes() ? denseKernelMs : denseWallMs;
    }

    public double sparseMs() {
        return hasKernelTimes() ? sparseKernelMs : sparseWallMs;
    }

    /** Dense over 2:4 headline time (above 1: 2:4 is faster), NaN without times. */
    public double speedup() {
        return ratio(denseMs(), sparseMs());
    }

    public double wallSpeedup() {
        return ratio(denseWallMs, sparseWallMs);
    }

    /** The fastest a dense call could be: its bytes at the measured bandwidth. */
    public double limitDenseMs() {
        return bandwidthGbs > 0 ? bytesDense / (bandwidthGbs * 1e9) * 1e3 : Double.NaN;
    }

    public double limitSparseMs() {
        return bandwidthGbs > 0 ? bytesSparse / (bandwidthGbs * 1e9) * 1e3 : Double.NaN;
    }

    /** The byte limit of the speedup: dense bytes over 2:4 bytes (16/9 at decode sizes for 16-bit weights). */
    public double limitSpeedup() {
        return bytesSparse > 0 ? (double) bytesDense / bytesSparse : Double.NaN;
    }

    public LinearResult.RowKey row() {
        return new LinearResult.RowKey(device, dtype, shape, tokens);
    }

    private static double ratio(double a, double b) {
        return a > 0 && b > 0 ? a / b : Double.NaN;
    }
}
