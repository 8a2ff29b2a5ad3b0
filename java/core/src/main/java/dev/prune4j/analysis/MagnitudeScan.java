package dev.prune4j.analysis;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Half;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The scanning kernels behind {@link MagnitudeStats}: one pass over a tensor's segment, split into
 * tasks that depend only on the tensor's size (so results do not depend on the thread count).
 *
 * <p>16-bit tensors are reduced to a histogram of their 32768 magnitude bit patterns (sign dropped);
 * every statistic then follows exactly from that histogram and a table of the 32768 magnitudes, so
 * the hot loop is one increment per weight. F32 tensors are scanned in chunks that fit in cache:
 * counts, extremes and sums in a first pass, squared deviations from the chunk mean in a second pass
 * over the same (cached) chunk, and chunks are combined with Chan's formula.
 */
final class MagnitudeScan {
    /** Elements per exact F32 partial; small enough to stay in L2 for the second pass. */
    static final int F32_CHUNK = TaskSplit.ALIGN;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private MagnitudeScan() {}

    static MagnitudeStats scan(Tensor t, double threshold, Parallel runner) {
        return switch (t.dtype()) {
            case F16 -> scan16(t, threshold, runner, Tables16.F16_ABS, 0x7C00);
            case BF16 -> scan16(t, threshold, runner, Tables16.BF16_ABS, 0x7F80);
            case F32 -> scan32(t, threshold, runner);
            default -> throw new IllegalArgumentException("tensor '" + t.name() + "' has dtype " + t.dtype()
                    + "; statistics are computed for F32, F16 and BF16 only");
        };
    }

    // ------------------------------------------------------------------ 16-bit

    private static MagnitudeStats scan16(Tensor t, double threshold, Parallel runner, float[] abs,
                                         int firstNonFinite) {
        long numel = t.numel();
        MemorySegment seg = t.data();
        int tasks = TaskSplit.tasks(numel);
        long[][] partial = new long[tasks][];
        runner.forEach(tasks, k -> partial[k] = countBits16(seg, TaskSplit.start(numel, k, tasks),
                TaskSplit.start(numel, k + 1, tasks)));
        long[] counts = partial[0];
        for (int k = 1; k < tasks; k++) {
            for (int b = 0; b < counts.length; b++) {
                counts[b] += partial[k][b];
            }
        }
        return fromBitCounts(counts, abs, firstNonFinite, threshold);
    }

    /** Histogram of the magnitude bits (sign dropped) of elements {@code [from, to)}. */
    static long[] countBits16(MemorySegment seg, long from, long to) {
        long[] counts = new long[1 << 15];
        long i = from;
        // Four elements per 8-byte read; the sign bit of each lane is masked off.
        long end4 = from + ((to - from) & ~3L);
        for (; i < end4; i += 4) {
            long w = seg.get(I64, i * 2);
            counts[(int) (w & 0x7FFF)]++;
            counts[(int) ((w >>> 16) & 0x7FFF)]++;
            counts[(int) ((w >>> 32) & 0x7FFF)]++;
            counts[(int) ((w >>> 48) & 0x7FFF)]++;
        }
        for (; i < to; i++) {
            counts[seg.getAtIndex(I16, i) & 0x7FFF]++;
        }
        return counts;
    }

    /** Every statistic, exactly, from the counts of each magnitude bit pattern. */
    static MagnitudeStats fromBitCounts(long[] counts, float[] abs, int firstNonFinite, double threshold) {
        long count = 0;
        long nonFinite = 0;
        for (int b = 0; b < counts.length; b++) {
            count += counts[b];
            if (b >= firstNonFinite) {
                nonFinite += counts[b];
            }
        }
        long zeros = counts[0];
        long above = 0;
        double minNonZero = Double.NaN;
        double max = zeros > 0 ? 0.0 : Double.NaN;
        double sum = 0;
        long[] hist = new long[Log10Bins.COUNT];
        for (int b = 1; b < firstNonFinite; b++) {
            long c = counts[b];
            if (c == 0) {
                continue;
            }
            double v = abs[b];
            if (Double.isNaN(minNonZero)) {
                minNonZero = v; // patterns are in increasing order of magnitude
            }
            max = v;
            sum += c * v;
            if (v > threshold) {
                above += c;
            }
            hist[Log10Bins.binOf(v)] += c;
        }
        long finite = count - nonFinite;
        double mean = finite == 0 ? Double.NaN : sum / finite;
        double m2 = 0;
        if (finite > 0) {
            m2 = zeros * mean * mean;
            for (int b = 1; b < firstNonFinite; b++) {
                long c = counts[b];
                if (c != 0) {
                    double d = abs[b] - mean;
                    m2 += c * d * d;
                }
            }
        }
        return new MagnitudeStats(count, zeros, nonFinite, threshold, above, minNonZero, max, mean, m2, hist);
    }

    /** |value| of each 15-bit magnitude pattern. */
    private static final class Tables16 {
        static final float[] F16_ABS = new float[1 << 15];
        static final float[] BF16_ABS = new float[1 << 15];

        static {
            for (int b = 0; b < 1 << 15; b++) {
                F16_ABS[b] = Half.f16ToFloat((short) b);
                BF16_ABS[b] = Half.bf16ToFloat((short) b);
            }
        }
    }

    // ------------------------------------------------------------------ F32

    private static MagnitudeStats scan32(Tensor t, double threshold, Parallel runner) {
        long numel = t.numel();
        MemorySegment seg = t.data();
        int tasks = TaskSplit.tasks(numel);
        MagnitudeStats[] partial = new MagnitudeStats[tasks];
        runner.forEach(tasks, k -> {
            long from = TaskSplit.start(numel, k, tasks);
            long to = TaskSplit.start(numel, k + 1, tasks);
            MagnitudeStats acc = MagnitudeStats.empty(threshold);
            for (long c = from; c < to; c += F32_CHUNK) {
                acc = MagnitudeStats.combine(acc, chunk32(seg, c, Math.min(to, c + F32_CHUNK), threshold));
            }
            partial[k] = acc;
        });
        MagnitudeStats total = MagnitudeStats.empty(threshold);
        for (MagnitudeStats p : partial) {
            total = MagnitudeStats.combine(total, p);
        }
        return total;
    }

    /** Exact statistics of F32 elements {@code [from, to)}: two passes over a cache-sized range. */
    static MagnitudeStats chunk32(MemorySegment seg, long from, long to, double threshold) {
        long zeros = 0;
        long nonFinite = 0;
        long above = 0;
        int minBits = Integer.MAX_VALUE;
        int maxBits = -1;
        double sum = 0;
        long[] hist = new long[Log10Bins.COUNT];
        for (long i = from; i < to; i++) {
            int a = seg.getAtIndex(I32, i) & 0x7FFFFFFF;
            if (a == 0) {
                zeros++;
            } else if (a >= 0x7F800000) {
                nonFinite++;
            } else {
                float v = Float.intBitsToFloat(a);
                sum += v;
                // Magnitude bit patterns order like the magnitudes themselves.
                minBits = Math.min(minBits, a);
                maxBits = Math.max(maxBits, a);
                if (v > threshold) {
                    above++;
                }
                hist[F32Bins.bin(a)]++;
            }
        }
        long count = to - from;
        long finite = count - nonFinite;
        double mean = finite == 0 ? Double.NaN : sum / finite;
        double m2 = 0;
        if (finite > 0) {
            for (long i = from; i < to; i++) {
                int a = seg.getAtIndex(I32, i) & 0x7FFFFFFF;
                if (a < 0x7F800000) {
                    double d = Float.intBitsToFloat(a) - mean;
                    m2 += d * d;
                }
            }
        }
        double minNonZero = maxBits < 0 ? Double.NaN : Float.intBitsToFloat(minBits);
        double max = maxBits >= 0 ? Float.intBitsToFloat(maxBits) : zeros > 0 ? 0.0 : Double.NaN;
        return new MagnitudeStats(count, zeros, nonFinite, threshold, above, minNonZero, max, mean, m2, hist);
    }

    /**
     * {@link Log10Bins#binOf} for positive finite F32 bit patterns without a logarithm: a binary
     * octave spans log10(2) ≈ 0.3 decades, less than one bin, so each exponent holds at most one bin
     * edge; a table per exponent gives the bin below the edge and the first pattern at or above it.
     */
    static final class F32Bins {
        private static final byte[] BASE = new byte[255];
        private static final int[] EDGE = new int[255];

        static {
            for (int e = 0; e < 255; e++) {
                int lo = e == 0 ? 1 : e << 23;
                int hi = (e << 23) | 0x7FFFFF;
                int base = Log10Bins.binOf(Float.intBitsToFloat(lo));
                BASE[e] = (byte) base;
                if (Log10Bins.binOf(Float.intBitsToFloat(hi)) == base) {
                    EDGE[e] = Integer.MAX_VALUE;
                } else {
                    while (lo < hi) { // first pattern whose bin is above base
                        int mid = (lo + hi) >>> 1;
                        if (Log10Bins.binOf(Float.intBitsToFloat(mid)) > base) {
                            hi = mid;
                        } else {
                            lo = mid + 1;
                        }
                    }
                    EDGE[e] = lo;
                }
            }
        }

        private F32Bins() {}

        /** The bin of the positive finite float with bit pattern {@code a}. */
        static int bin(int a) {
            int e = a >>> 23;
            return BASE[e] + (a >= EDGE[e] ? 1 : 0);
        }
    }
}
