package dev.prune4j.analysis;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Counts the zeros of two same-sized tensors and the positions where both are zero, reading eight
 * bytes at a time: a lane of magnitude bits {@code x} (sign cleared) is non-zero exactly when
 * {@code x + 0x7F..F} carries into the lane's top bit, which cannot spill into the next lane.
 */
final class ZeroScan {
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final long MAG16 = 0x7FFF_7FFF_7FFF_7FFFL;
    private static final long TOP16 = 0x8000_8000_8000_8000L;
    private static final long MAG32 = 0x7FFF_FFFF_7FFF_FFFFL;
    private static final long TOP32 = 0x8000_0000_8000_0000L;

    private ZeroScan() {}

    /** {zeros of a, zeros of b, zeros of both} over all elements. */
    static long[] count(Tensor a, Tensor b, Parallel runner) {
        long numel = a.numel();
        int tasks = TaskSplit.tasks(numel);
        long[][] partial = new long[tasks][];
        runner.forEach(tasks, k -> partial[k] = count(a, b, TaskSplit.start(numel, k, tasks),
                TaskSplit.start(numel, k + 1, tasks)));
        long[] total = new long[3];
        for (long[] p : partial) {
            for (int i = 0; i < 3; i++) {
                total[i] += p[i];
            }
        }
        return total;
    }

    /** {zeros of a, zeros of b, zeros of both} over elements {@code [from, to)}. */
    static long[] count(Tensor a, Tensor b, long from, long to) {
        int width = a.dtype().byteSize();
        if (width != b.dtype().byteSize()) {
            return countMixed(a, b, from, to);
        }
        MemorySegment sa = a.data();
        MemorySegment sb = b.data();
        int lanes = 8 / width;
        long mag = width == 2 ? MAG16 : MAG32;
        long top = width == 2 ? TOP16 : TOP32;
        long za = 0;
        long zb = 0;
        long both = 0;
        long i = from;
        long end = from + ((to - from) / lanes) * lanes;
        for (; i < end; i += lanes) {
            long off = i * width;
            long zeroA = ~((sa.get(I64, off) & mag) + mag) & top;
            long zeroB = ~((sb.get(I64, off) & mag) + mag) & top;
            za += Long.bitCount(zeroA);
            zb += Long.bitCount(zeroB);
            both += Long.bitCount(zeroA & zeroB);
        }
        for (; i < to; i++) {
            boolean x = isZero(a, i);
            boolean y = isZero(b, i);
            za += x ? 1 : 0;
            zb += y ? 1 : 0;
            both += x && y ? 1 : 0;
        }
        return new long[] {za, zb, both};
    }

    private static long[] countMixed(Tensor a, Tensor b, long from, long to) {
        long za = 0;
        long zb = 0;
        long both = 0;
        for (long i = from; i < to; i++) {
            boolean x = isZero(a, i);
            boolean y = isZero(b, i);
            za += x ? 1 : 0;
            zb += y ? 1 : 0;
            both += x && y ? 1 : 0;
        }
        return new long[] {za, zb, both};
    }

    static boolean isZero(Tensor t, long i) {
        return t.dtype().byteSize() == 2
                ? (t.data().getAtIndex(I16, i) & 0x7FFF) == 0
                : (t.data().getAtIndex(I32, i) & 0x7FFF_FFFF) == 0;
    }
}
