package dev.prune4j.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorStatsTest {
    private static final float TINY = 0x1p-24f; // exact in F32, F16 (subnormal) and BF16

    /** Values exact in all three dtypes, with both signs of zero. */
    private static final float[] VALUES = {0f, -0f, 0.5f, -0.25f, 0.125f, 3f, -100f, TINY};

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void statsOfASmallTensorMatchHandComputedValues(DType dtype) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.ofFloats(arena, "w", dtype, VALUES, 2, 4);
            MagnitudeStats s = TensorStats.of(t, 0.2).stats();

            assertEquals(8, s.count());
            assertEquals(2, s.zeros(), "-0.0 counts as a zero");
            assertEquals(0.25, s.sparsity());
            assertEquals(4, s.aboveThreshold(), "0.5, 0.25, 3 and 100 exceed 0.2");
            assertEquals(0.5, s.fractionAboveThreshold());
            assertEquals(0.0, s.minAbs());
            assertEquals(TINY, s.minNonZeroAbs());
            assertEquals(100.0, s.maxAbs());
            double mean = (0.5 + 0.25 + 0.125 + 3 + 100 + TINY) / 8;
            assertEquals(mean, s.meanAbs(), 1e-15 * mean);
            double sq = 2 * mean * mean;
            for (double v : new double[] {0.5, 0.25, 0.125, 3, 100, TINY}) {
                sq += (v - mean) * (v - mean);
            }
            assertEquals(Math.sqrt(sq / 8), s.stdAbs(), 1e-12);

            long[] expected = new long[Log10Bins.COUNT];
            expected[2] = 1;  // 2^-24 ≈ 6e-8: [-7.5,-7.0)
            expected[15] = 2; // 0.25 and 0.125: [-1.0,-0.5)
            expected[16] = 1; // 0.5: [-0.5,0.0)
            expected[17] = 1; // 3: [0.0,0.5)
            expected[21] = 1; // 100 = 10^2: overflow bin (>= 2)
            assertArrayEquals(expected, s.log10Histogram());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void anEmptyTensorHasNoMagnitudes(DType dtype) {
        try (Arena arena = Arena.ofConfined()) {
            MagnitudeStats s = TensorStats.of(Tensor.allocate(arena, "e", dtype, 0, 8), 0.2).stats();
            assertEquals(0, s.count());
            assertEquals(0.0, s.sparsity());
            assertTrue(Double.isNaN(s.meanAbs()) && Double.isNaN(s.maxAbs()) && Double.isNaN(s.minAbs()));
        }
    }

    @Test
    void thresholdIsStrict() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.ofFloats(arena, "w", DType.F32, new float[] {0.5f, -0.5f, 0.75f}, 3);
            assertEquals(1, TensorStats.of(t, 0.5).stats().aboveThreshold());
            assertEquals(3, TensorStats.of(t, 0.0).stats().aboveThreshold());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void nonFiniteWeightsAreCountedAndLeftOutOfMagnitudes(DType dtype) {
        try (Arena arena = Arena.ofConfined()) {
            float[] v = {Float.NaN, Float.NEGATIVE_INFINITY, 2f, 0f};
            MagnitudeStats s = TensorStats.of(Tensor.ofFloats(arena, "w", dtype, v, 4), 0.2).stats();
            assertEquals(4, s.count());
            assertEquals(2, s.nonFinite());
            assertEquals(1, s.zeros());
            assertEquals(1, s.aboveThreshold());
            assertEquals(2.0, s.maxAbs());
            assertEquals(1.0, s.meanAbs());
            assertEquals(1.0, s.stdAbs());
        }
    }

    @Test
    void anAllZeroTensorHasNoNonZeroMinimumAndAnEmptyHistogram() {
        try (Arena arena = Arena.ofConfined()) {
            MagnitudeStats s = TensorStats.of(Tensor.allocate(arena, "z", DType.BF16, 3, 5), 0.2).stats();
            assertEquals(15, s.zeros());
            assertEquals(1.0, s.sparsity());
            assertEquals(0.0, s.maxAbs());
            assertEquals(0.0, s.meanAbs());
            assertEquals(0.0, s.stdAbs());
            assertTrue(Double.isNaN(s.minNonZeroAbs()));
            assertEquals(0, java.util.Arrays.stream(s.log10Histogram()).sum());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void largeTensorsSplitIntoTasksAgreeWithAPlainDoubleReference(DType dtype) {
        int n = 3_000_003; // several tasks and a ragged tail
        try (Arena arena = Arena.ofShared(); CpuEngine two = new CpuEngine(2); CpuEngine one = new CpuEngine(1)) {
            Tensor t = Tensor.allocate(arena, "big", dtype, 3, 1_000_001);
            SplittableRandom rnd = new SplittableRandom(7);
            for (int i = 0; i < n; i++) {
                double g = rnd.nextDouble() < 0.3 ? 0.0 : (rnd.nextDouble() - 0.5) * Math.exp(Math.min(9, rnd.nextGaussian() * 3));
                t.setFloat(i, (float) g);
            }
            Oracle o = Oracle.of(t, 0.2);
            MagnitudeStats s = TensorStats.of(t, 0.2, two).stats();
            assertEquals(n, s.count());
            assertEquals(o.zeros, s.zeros());
            assertEquals(o.above, s.aboveThreshold());
            assertEquals(o.minNonZero, s.minNonZeroAbs());
            assertEquals(o.max, s.maxAbs());
            assertEquals(o.mean, s.meanAbs(), 1e-12 * o.mean);
            assertEquals(o.std, s.stdAbs(), 1e-12 * o.std);
            assertArrayEquals(o.histogram, s.log10Histogram());

            MagnitudeStats single = TensorStats.of(t, 0.2, one).stats();
            assertEquals(s.meanAbs(), single.meanAbs(), "results do not depend on the thread count");
            assertEquals(s.stdAbs(), single.stdAbs());
        }
    }

    @Test
    void reportCombinesTensorsOverAllWeightsAndSkipsIntegerTensors() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.ofFloats(arena, "a", DType.F16, new float[] {0f, 1f}, 2);
            Tensor b = Tensor.ofFloats(arena, "b", DType.F32, new float[] {0f, 0f, 0f, 4f, 4f, 4f}, 6);
            Tensor ids = Tensor.allocate(arena, "position_ids", DType.I64, 4);
            SparsityReport r = SparsityReport.analyze(List.of(a, ids, b), 0.2);

            assertEquals(List.of("a", "b"), r.tensors().stream().map(TensorStats::name).toList());
            assertEquals(List.of("position_ids"), r.skipped().stream().map(SkippedTensor::name).toList());
            assertEquals(DType.I64, r.skipped().get(0).dtype());
            MagnitudeStats all = r.overall();
            assertEquals(8, all.count());
            assertEquals(4, all.zeros());
            assertEquals(0.5, all.sparsity(), "4 of 8 weights, not the mean of 0.5 and 0.5 by chance");
            assertEquals(13.0 / 8, all.meanAbs(), 1e-15);
            double mean = 13.0 / 8;
            double var = (4 * mean * mean + (1 - mean) * (1 - mean) + 3 * (4 - mean) * (4 - mean)) / 8;
            assertEquals(Math.sqrt(var), all.stdAbs(), 1e-15);
            assertEquals(4, all.aboveThreshold());
        }
    }

    @Test
    void badInputIsRefusedWithTheTensorsName() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor ids = Tensor.allocate(arena, "position_ids", DType.I32, 4);
            var e = assertThrows(IllegalArgumentException.class, () -> TensorStats.of(ids, 0.2));
            assertTrue(e.getMessage().contains("position_ids"), e.getMessage());
            Tensor w = Tensor.allocate(arena, "w", DType.F32, 4);
            assertThrows(IllegalArgumentException.class, () -> TensorStats.of(w, Double.NaN));
            var dup = assertThrows(IllegalArgumentException.class, () -> SparsityReport.analyze(List.of(w, w), 0.2));
            assertTrue(dup.getMessage().contains("'w'"), dup.getMessage());
        }
    }

    /**
     * A plain double-precision reference: one pass for the sum, one for squared deviations, both
     * with Neumaier's compensated summation so the reference is more accurate than the code tested.
     */
    record Oracle(long zeros, long above, double minNonZero, double max, double mean, double std, long[] histogram) {
        static Oracle of(Tensor t, double threshold) {
            long zeros = 0;
            long above = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            Neumaier sum = new Neumaier();
            long[] hist = new long[Log10Bins.COUNT];
            for (long i = 0; i < t.numel(); i++) {
                double v = Math.abs((double) t.getFloat(i));
                if (v == 0) {
                    zeros++;
                    continue;
                }
                sum.add(v);
                min = Math.min(min, v);
                max = Math.max(max, v);
                above += v > threshold ? 1 : 0;
                hist[Log10Bins.binOf(v)]++;
            }
            double mean = sum.value() / t.numel();
            Neumaier sq = new Neumaier();
            for (long i = 0; i < t.numel(); i++) {
                double d = Math.abs((double) t.getFloat(i)) - mean;
                sq.add(d * d);
            }
            return new Oracle(zeros, above, min, max, mean, Math.sqrt(sq.value() / t.numel()), hist);
        }
    }

    static final class Neumaier {
        private double sum;
        private double compensation;

        void add(double x) {
            double t = sum + x;
            compensation += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
            sum = t;
        }

        double value() {
            return sum + compensation;
        }
    }
}
