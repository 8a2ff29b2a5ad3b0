package dev.prune4j.bench.timing;

/**
 * The byte limit of a linear layer {@code Y = X W^T}: the fewest bytes one call must move (the
 * weight once, X read once, Y written once) divided by the memory bandwidth measured in the same
 * run. No kernel beats it; at decode sizes (1-16 tokens) a good kernel comes close, so a measured
 * 2:4 speedup above the limit's ratio (16/9 = 1.78x for 16-bit weights) means the weight came from
 * a cache, not from memory.
 *
 * <p>A 2:4 weight moves half the values plus its metadata in the canonical form (4 bits per group
 * of 4, {@code ceil(in / 8)} bytes per row); the device layouts may pad it, which only makes the
 * limit a little optimistic.
 */
public final class ByteLimit {
    private ByteLimit() {}

    /** Bytes of a dense call: W {@code [out, in]}, X {@code [tokens, in]}, Y {@code [tokens, out]}. */
    public static long denseBytes(long out, long in, long tokens, int elementBytes) {
        return elementBytes * (out * in + tokens * (in + out));
    }

    /** Bytes of a 2:4 call: values {@code [out, in/2]}, metadata {@code [out, ceil(in/8)]}, X and Y. */
    public static long sparse24Bytes(long out, long in, long tokens, int elementBytes) {
        return elementBytes * (out * (in / 2) + tokens * (in + out)) + out * ((in + 7) / 8);
    }

    /** Milliseconds to move {@code bytes} at {@code bytesPerSecond}. */
    public static double millis(long bytes, double bytesPerSecond) {
        return bytes / bytesPerSecond * 1e3;
    }
}
