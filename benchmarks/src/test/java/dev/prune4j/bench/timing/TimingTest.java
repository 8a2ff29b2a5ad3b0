package dev.prune4j.bench.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pieces of the cache-honest timing: order statistics, the byte limit, rotation, alternation. */
class TimingTest {
    @Test
    void percentilesInterpolateBetweenOrderStatistics() {
        double[] v = {5, 1, 4, 2, 3};
        assertEquals(3, Stats.median(v));
        assertEquals(1, Stats.percentile(v, 0));
        assertEquals(5, Stats.percentile(v, 100));
        assertEquals(1.4, Stats.percentile(v, 10), 1e-12);
        assertEquals(2.5, Stats.median(new double[] {1, 2, 3, 4}));
        assertTrue(Double.isNaN(Stats.median(new double[0])));
        assertEquals(5, v[0], "the sample is not reordered");
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(v, 101));
    }

    @Test
    void theByteLimitOfA16BitTwoFourWeightIsSixteenNinthsAtDecodeSizes() {
        long dense = ByteLimit.denseBytes(4096, 4096, 1, 2);
        long sparse = ByteLimit.sparse24Bytes(4096, 4096, 1, 2);
        assertEquals(2L * (4096 * 4096 + 8192), dense);
        assertEquals(2L * (4096 * 2048 + 8192) + 4096L * 512, sparse);
        assertEquals(16.0 / 9, (double) dense / sparse, 2e-3);
        // At 8192 tokens X and Y dominate: the ratio falls towards 1.
        assertTrue((double) ByteLimit.denseBytes(4096, 4096, 8192, 2) / ByteLimit.sparse24Bytes(4096, 4096, 8192, 2) < 1.3);
        assertEquals(1.0, ByteLimit.millis(1_000_000_000L, 1e12), 1e-12);
        // An odd input width rounds its metadata up to whole bytes per row.
        assertEquals(2L * 10 * 6 + 10L * 2, ByteLimit.sparse24Bytes(10, 12, 0, 2));
    }

    @Test
    void copiesTogetherExceedTwiceTheCache() {
        long l3 = 32L << 20;
        long w7b = ByteLimit.denseBytes(4096, 4096, 1, 2) + ByteLimit.sparse24Bytes(4096, 4096, 1, 2);
        int copies = LastLevelCache.copiesToExceed(l3, w7b, 16);
        assertEquals(2, copies, "a 4096 x 4096 F16 layer (32 + 18 MiB) needs a second copy beside the 32 MiB L3");
        assertTrue(copies * w7b >= 2 * l3);
        assertEquals(1, LastLevelCache.copiesToExceed(l3, 1L << 30, 16));
        assertEquals(16, LastLevelCache.copiesToExceed(l3, 1000, 16), "capped");
        assertEquals(3, LastLevelCache.copiesToExceed(LastLevelCache.H200_L2_BYTES, w7b, 16));
        assertThrows(IllegalArgumentException.class, () -> LastLevelCache.copiesToExceed(l3, 0, 16));
        assertEquals(32L << 20, LastLevelCache.parseSize("32768K"));
        assertEquals(32L << 20, LastLevelCache.parseSize("32M"));
        assertEquals(512, LastLevelCache.parseSize("512"));
        assertTrue(LastLevelCache.cpuBytes() >= 1 << 20, "some last-level cache is found or assumed");
    }

    @Test
    void armsAlternateInOrderAndRotateThroughTheCopies() {
        List<String> calls = new ArrayList<>();
        PairedTimer.Call dense = c -> {
            calls.add("d" + c);
            return -1;
        };
        PairedTimer.Call sparse = c -> {
            calls.add("s" + c);
            return 2_000_000;
        };
        PairedTimer.Result r = PairedTimer.time(new PairedTimer.Call[] {dense, sparse}, 3,
                new PairedTimer.Settings(0, 0, 4, 4));
        assertEquals(4, r.warmupCalls(), "two untimed iterations at least, even without warm-up time");
        assertEquals(List.of("d0", "s0", "s1", "d1", "d0", "s0", "s1", "d1", "d2", "s2", "s0", "d0"), calls);
        assertEquals(4, r.iterations());
        assertEquals(4, r.wallMs()[0].length);
        assertTrue(Double.isNaN(r.kernelMs()[0][0]), "the dense arm measured no kernel time");
        assertEquals(2.0, r.kernelMs()[1][3], 1e-12);
    }

    @Test
    void warmUpAndMeasurementLastAtLeastTheirTime() {
        int[] n = {0};
        PairedTimer.Call call = c -> {
            n[0]++;
            return -1;
        };
        long t0 = System.nanoTime();
        PairedTimer.Result r = PairedTimer.time(new PairedTimer.Call[] {call, call}, 1,
                new PairedTimer.Settings(50, 30, 5, 1_000_000));
        assertTrue(System.nanoTime() - t0 >= 80_000_000L, "warm-up and measurement took their time");
        assertTrue(r.iterations() >= 5);
        assertEquals(n[0], r.warmupCalls() + 2 * r.iterations());
        assertThrows(IllegalArgumentException.class, () -> new PairedTimer.Settings(0, 0, 5, 4));
    }

    @Test
    void aStreamingReadGivesABandwidth() {
        HostBandwidth.Result r = HostBandwidth.measure(32L << 20, 2, 2);
        assertEquals(2, r.seconds().length);
        assertTrue(r.bytesPerSecond() > 1e8, "more than 100 MB/s: " + r.bytesPerSecond());
        assertEquals((32L << 20) / Stats.min(r.seconds()), r.bytesPerSecond(), 1);
        assertThrows(IllegalArgumentException.class, () -> HostBandwidth.measure(1000, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> HostBandwidth.measure(32L << 20, 0, 2));
    }

    @Test
    void deadlinesComeFromTheOptionOrTheStage() {
        assertTrue(Deadline.NONE.allows(1e12));
        Deadline past = Deadline.of("1000");
        assertTrue(!past.allows(0));
        Deadline future = Deadline.of(Long.toString(System.currentTimeMillis() / 1000 + 3600));
        assertTrue(future.allows(60_000) && !future.allows(7_200_000));
        assertThrows(IllegalArgumentException.class, () -> Deadline.of("soon"));
    }
}
