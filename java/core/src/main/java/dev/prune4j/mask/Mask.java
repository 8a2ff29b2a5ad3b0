package dev.prune4j.mask;

import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Which weights of one tensor are kept: one bit per weight, {@code 1} = kept, {@code 0} = pruned
 * (PyTorch's convention for pruning masks). Bit {@code i} is weight {@code i} in flat row-major order.
 *
 * <p>The on-disk form ({@link #toBytes()}) packs the bits little-endian: bit {@code i} is bit
 * {@code i % 8} of byte {@code i / 8}, which is what {@code numpy.unpackbits(b, bitorder="little")}
 * reads back. Bits past the last weight are zero.
 */
public final class Mask {
    private static final ValueLayout.OfLong WORD =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final long[] shape;
    private final long size;
    private final long[] words;

    private Mask(long[] shape, long size, long[] words) {
        this.shape = shape;
        this.size = size;
        this.words = words;
    }

    /** A mask of {@code shape} with every weight kept. */
    public static Mask allKept(long... shape) {
        Mask m = allPruned(shape);
        Arrays.fill(m.words, -1L);
        m.clearTail();
        return m;
    }

    /** A mask of {@code shape} with every weight pruned. */
    public static Mask allPruned(long... shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        long wordCount = (n + 63) >>> 6;
        if (wordCount > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("mask too large: " + Arrays.toString(shape));
        }
        return new Mask(shape.clone(), n, new long[(int) wordCount]);
    }

    public long size() {
        return size;
    }

    /** Throws unless this mask covers {@code t} weight for weight (a {@code null} mask covers anything). */
    public static void requireFits(Mask mask, Tensor t) {
        if (mask != null && mask.size != t.numel()) {
            throw new IllegalArgumentException("mask of " + mask.size + " weights does not fit tensor '"
                    + t.name() + "' " + t.shapeString());
        }
    }

    public long[] shape() {
        return shape.clone();
    }

    public boolean isKept(long i) {
        checkIndex(i);
        return (words[(int) (i >>> 6)] & (1L << i)) != 0;
    }

    public void keep(long i) {
        checkIndex(i);
        words[(int) (i >>> 6)] |= 1L << i;
    }

    public void prune(long i) {
        checkIndex(i);
        words[(int) (i >>> 6)] &= ~(1L << i);
    }

    /**
     * Direct access to the 64-bit words, for kernels that fill a mask in parallel: word {@code w}
     * holds weights {@code 64w .. 64w+63}. Threads must write disjoint words.
     */
    public long[] words() {
        return words;
    }

    /** Number of kept weights. */
    public long count() {
        long c = 0;
        for (long w : words) {
            c += Long.bitCount(w);
        }
        return c;
    }

    public long prunedCount() {
        return size - count();
    }

    /** Fraction of weights kept. */
    public double density() {
        return size == 0 ? 1.0 : (double) count() / size;
    }

    /** Fraction of weights pruned. */
    public double sparsity() {
        return 1.0 - density();
    }

    /** Kept in both. */
    public Mask and(Mask other) {
        checkSameShape(other);
        long[] out = words.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] &= other.words[i];
        }
        return new Mask(shape, size, out);
    }

    /** Kept in either. */
    public Mask or(Mask other) {
        checkSameShape(other);
        long[] out = words.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] |= other.words[i];
        }
        return new Mask(shape, size, out);
    }

    /** Kept here and not kept in {@code other}. */
    public Mask andNot(Mask other) {
        checkSameShape(other);
        long[] out = words.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] &= ~other.words[i];
        }
        return new Mask(shape, size, out);
    }

    /** Kept becomes pruned and pruned becomes kept. */
    public Mask not() {
        long[] out = words.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = ~out[i];
        }
        Mask m = new Mask(shape, size, out);
        m.clearTail();
        return m;
    }

    /** True when every weight kept by this mask is also kept by {@code other}. */
    public boolean isSubsetOf(Mask other) {
        checkSameShape(other);
        for (int i = 0; i < words.length; i++) {
            if ((words[i] & ~other.words[i]) != 0) {
                return false;
            }
        }
        return true;
    }

    public Mask copy() {
        return new Mask(shape, size, words.clone());
    }

    /** Packed little-endian bits, {@code ceil(size / 8)} bytes: the stable on-disk form. */
    public byte[] toBytes() {
        long byteCount = (size + 7) >>> 3;
        if (byteCount > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("mask too large for one byte array: " + Arrays.toString(shape));
        }
        ByteBuffer buf = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            buf.putLong(w);
        }
        return Arrays.copyOf(buf.array(), (int) byteCount);
    }

    /** Reads the form written by {@link #toBytes()}. */
    public static Mask fromBytes(byte[] bytes, long... shape) {
        Mask m = allPruned(shape);
        long expected = (m.size + 7) >>> 3;
        if (bytes.length != expected) {
            throw new IllegalArgumentException("mask of shape " + Arrays.toString(shape) + " needs "
                    + expected + " bytes, got " + bytes.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(Arrays.copyOf(bytes, m.words.length * 8)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < m.words.length; i++) {
            m.words[i] = buf.getLong();
        }
        int tailBits = (int) (m.size & 63);
        if (tailBits != 0 && (m.words[m.words.length - 1] >>> tailBits) != 0) {
            throw new IllegalArgumentException("mask bytes have bits set past the last weight");
        }
        return m;
    }

    /** Reads the form written by {@link #toBytes()} straight from (possibly mapped) memory. */
    public static Mask fromSegment(MemorySegment bytes, long... shape) {
        Mask m = allPruned(shape);
        long expected = (m.size + 7) >>> 3;
        if (bytes.byteSize() != expected) {
            throw new IllegalArgumentException("mask of shape " + Arrays.toString(shape) + " needs "
                    + expected + " bytes, got " + bytes.byteSize());
        }
        int fullWords = (int) (expected >>> 3);
        MemorySegment.copy(bytes, WORD, 0, m.words, 0, fullWords);
        for (long b = (long) fullWords << 3; b < expected; b++) {
            m.words[fullWords] |= (bytes.get(ValueLayout.JAVA_BYTE, b) & 0xFFL) << ((b & 7) * 8);
        }
        int tailBits = (int) (m.size & 63);
        if (tailBits != 0 && (m.words[m.words.length - 1] >>> tailBits) != 0) {
            throw new IllegalArgumentException("mask bytes have bits set past the last weight");
        }
        return m;
    }

    /** Writes the form of {@link #toBytes()} into {@code dst}, which holds exactly that many bytes. */
    public void writeTo(MemorySegment dst) {
        long expected = (size + 7) >>> 3;
        if (dst.byteSize() != expected) {
            throw new IllegalArgumentException("mask of " + size + " weights needs " + expected + " bytes, got "
                    + dst.byteSize());
        }
        int fullWords = (int) (expected >>> 3);
        MemorySegment.copy(words, 0, dst, WORD, 0, fullWords);
        for (long b = (long) fullWords << 3; b < expected; b++) {
            dst.set(ValueLayout.JAVA_BYTE, b, (byte) (words[fullWords] >>> ((b & 7) * 8)));
        }
    }

    private void clearTail() {
        int tailBits = (int) (size & 63);
        if (tailBits != 0) {
            words[words.length - 1] &= (1L << tailBits) - 1;
        }
    }

    private void checkIndex(long i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("weight " + i + " of a mask of " + size);
        }
    }

    private void checkSameShape(Mask other) {
        if (!Arrays.equals(shape, other.shape)) {
            throw new IllegalArgumentException("mask shapes differ: " + Arrays.toString(shape) + " vs "
                    + Arrays.toString(other.shape));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Mask m && Arrays.equals(shape, m.shape) && Arrays.equals(words, m.words);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return "Mask" + Arrays.toString(shape) + " kept " + count() + "/" + size;
    }
}
