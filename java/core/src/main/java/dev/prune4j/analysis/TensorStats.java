package dev.prune4j.analysis;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * The {@link MagnitudeStats} of one named tensor.
 *
 * @param name  the tensor's name in its checkpoint
 * @param dtype F32, F16 or BF16
 * @param shape the tensor's shape (the accessor returns a copy)
 * @param stats its statistics
 */
public record TensorStats(String name, DType dtype, long[] shape, MagnitudeStats stats) {
    /** The default threshold t of "fraction with |w| > t". */
    public static final double DEFAULT_THRESHOLD = 0.2;

    public TensorStats {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(stats, "stats");
        shape = shape.clone();
    }

    /** Scans {@code t} on the common fork-join pool. */
    public static TensorStats of(Tensor t, double threshold) {
        return of(t, threshold, null);
    }

    /**
     * Scans {@code t} on the threads of {@code engine} ({@code null}: the common fork-join pool).
     *
     * @throws IllegalArgumentException when {@code t} is not F32, F16 or BF16, or the threshold is NaN
     */
    public static TensorStats of(Tensor t, double threshold, CpuEngine engine) {
        checkThreshold(threshold);
        return new TensorStats(t.name(), t.dtype(), t.shape(),
                MagnitudeScan.scan(t, threshold, TaskSplit.parallel(engine)));
    }

    static void checkThreshold(double threshold) {
        if (Double.isNaN(threshold) || threshold < 0) {
            throw new IllegalArgumentException("threshold must be a number >= 0, got " + threshold);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The shape written as {@code 4096x11008} (a scalar is {@code scalar}). */
    public String shapeText() {
        if (shape.length == 0) {
            return "scalar";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : "x").append(shape[i]);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorStats s && name.equals(s.name) && dtype == s.dtype
                && Arrays.equals(shape, s.shape) && stats.equals(s.stats);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " " + stats;
    }
}
