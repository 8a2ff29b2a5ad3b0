package dev.prune4j.bench.timing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The size of the CPU's last-level cache, so a benchmark can rotate enough copies of a weight that
 * no copy is still cached when it comes round again. Linux reports it under
 * {@code /sys/devices/system/cpu/cpu0/cache}; elsewhere (or if unreadable) the build machine's
 * 32 MiB L3 is assumed.
 */
public final class LastLevelCache {
    /** The L3 of the 2-core build machine (AMD EPYC), the fallback. */
    public static final long DEFAULT_BYTES = 32L << 20;
    /** The H200's L2, the last level before HBM (60 MB as PyTorch reports it). */
    public static final long H200_L2_BYTES = 60L * 1000 * 1000;

    private LastLevelCache() {}

    public static long cpuBytes() {
        Path dir = Path.of("/sys/devices/system/cpu/cpu0/cache");
        long best = -1;
        int bestLevel = -1;
        for (int i = 0; i < 8; i++) {
            Path index = dir.resolve("index" + i);
            try {
                int level = Integer.parseInt(Files.readString(index.resolve("level")).trim());
                String type = Files.readString(index.resolve("type")).trim();
                long size = parseSize(Files.readString(index.resolve("size")).trim());
                if (!type.equals("Instruction") && level > bestLevel) {
                    bestLevel = level;
                    best = size;
                }
            } catch (IOException | RuntimeException e) {
                break;
            }
        }
        return best > 0 ? best : DEFAULT_BYTES;
    }

    /** {@code "32768K"}, {@code "32M"} or plain bytes. */
    static long parseSize(String text) {
        String t = text.toUpperCase(Locale.ROOT);
        long factor = t.endsWith("K") ? 1L << 10 : t.endsWith("M") ? 1L << 20 : t.endsWith("G") ? 1L << 30 : 1;
        String digits = factor == 1 ? t : t.substring(0, t.length() - 1);
        return Long.parseLong(digits.trim()) * factor;
    }

    /**
     * How many copies of a working set of {@code bytesPerCopy} to rotate through so that together
     * they are at least twice the cache (twice: caches are not perfectly LRU), at most {@code cap}.
     */
    public static int copiesToExceed(long cacheBytes, long bytesPerCopy, int cap) {
        if (bytesPerCopy <= 0) {
            throw new IllegalArgumentException("a copy of " + bytesPerCopy + " bytes");
        }
        long copies = (2 * cacheBytes + bytesPerCopy - 1) / bytesPerCopy;
        return (int) Math.max(1, Math.min(cap, copies));
    }
}
