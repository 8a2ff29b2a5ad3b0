package dev.prune4j.mask;

/**
 * One pass of a most-significant-digit radix select: count, among the keys whose bits above
 * {@code shift + bits} equal {@code prefix}, how many fall in each of the {@code 2^bits} buckets
 * of the digit {@code (key >>> shift) & (2^bits - 1)}.
 *
 * @param shift  position of the digit's lowest bit
 * @param bits   width of the digit; the histogram has {@code 1 << bits} buckets
 * @param prefix the key bits above the digit that a key must have to be counted (the digits
 *               already fixed by earlier passes); ignored by the first pass, where nothing is fixed
 */
public record RadixPass(int shift, int bits, int prefix) {
    public RadixPass {
        if (bits < 1 || bits > 16 || shift < 0 || shift + bits > 31) {
            throw new IllegalArgumentException("bad radix pass: shift " + shift + ", bits " + bits);
        }
    }

    public int buckets() {
        return 1 << bits;
    }

    /** True when {@code key} has the fixed prefix of this pass. */
    public boolean matches(int key) {
        return (key >>> (shift + bits)) == prefix;
    }

    public int digit(int key) {
        return (key >>> shift) & ((1 << bits) - 1);
    }
}
