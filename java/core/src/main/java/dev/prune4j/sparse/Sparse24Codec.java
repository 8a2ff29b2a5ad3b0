package dev.prune4j.sparse;

import dev.prune4j.internal.tensor.LittleEndian;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Compression to and from the canonical 2:4 layout described on {@link Sparse24}. */
final class Sparse24Codec {
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * For each 4-bit set of non-zero positions with at most 2 members, the nibble of the two kept
     * positions: the non-zeros, topped up with the lowest zero positions. -1 for 3 or 4 non-zeros.
     */
    private static final int[] NIBBLE_OF_NONZEROS = new int[16];

    static {
        for (int nz = 0; nz < 16; nz++) {
            if (Integer.bitCount(nz) > 2) {
                NIBBLE_OF_NONZEROS[nz] = -1;
                continue;
            }
            int kept = nz;
            for (int p = 0; Integer.bitCount(kept) < 2; p++) {
                kept |= 1 << p;
            }
            int i0 = Integer.numberOfTrailingZeros(kept);
            int i1 = 31 - Integer.numberOfLeadingZeros(kept);
            NIBBLE_OF_NONZEROS[nz] = i0 | i1 << 2;
        }
    }

    private Sparse24Codec() {}

    /** The 4-bit set of non-zero positions of flat group {@code group} (±0 is zero). */
    private static int nonZeros(MemorySegment data, DType dtype, long group) {
        if (dtype == DType.F32) {
            long lo = data.get(I64, group * 16);
            long hi = data.get(I64, group * 16 + 8);
            return nz32((int) lo) | nz32((int) (lo >>> 32)) << 1 | nz32((int) hi) << 2 | nz32((int) (hi >>> 32)) << 3;
        }
        long four = data.get(I64, group * 8);
        return nz16(four) | nz16(four >>> 16) << 1 | nz16(four >>> 32) << 2 | nz16(four >>> 48) << 3;
    }

    private static int nz16(long bits) {
        return (bits & 0x7FFF) != 0 ? 1 : 0;
    }

    private static int nz32(int bits) {
        return (bits & 0x7FFF_FFFF) != 0 ? 1 : 0;
    }

    private static void checkTensor(Tensor w) {
        if (w.rank() != 2) {
            throw new IllegalArgumentException("tensor '" + w.name() + "' " + w.shapeString()
                    + " is not a 2-D weight [out, in], so it cannot be 2:4 compressed");
        }
        DType t = w.dtype();
        if (t != DType.F16 && t != DType.BF16 && t != DType.F32) {
            throw new IllegalArgumentException("tensor '" + w.name() + "' has dtype " + t
                    + "; 2:4 compression takes F16, BF16 or F32");
        }
        Sparse24.checkShape(w.name(), w.dim(0), w.dim(1));
    }

    private static IllegalArgumentException notTwoFour(Tensor w, long row, long group, int nonZeros) {
        return new IllegalArgumentException("tensor '" + w.name() + "' " + w.shapeString() + " is not 2:4 sparse: row "
                + row + ", group " + group + " (columns " + 4 * group + ".." + (4 * group + 3) + ") has "
                + Integer.bitCount(nonZeros) + " non-zeros");
    }

    static void requireValid(Tensor w) {
        checkTensor(w);
        long groups = w.numel() / 4;
        long perRow = w.dim(1) / 4;
        for (long g = 0; g < groups; g++) {
            int nz = nonZeros(w.data(), w.dtype(), g);
            if (NIBBLE_OF_NONZEROS[nz] < 0) {
                throw notTwoFour(w, g / perRow, g % perRow, nz);
            }
        }
    }

    static Sparse24 compress(Tensor w, Arena arena) {
        checkTensor(w);
        int rows = (int) w.dim(0);
        int cols = (int) w.dim(1);
        DType dtype = w.dtype();
        int groups = cols / 4;
        int metaPerRow = Sparse24.metaBytesPerRow(cols);
        Tensor values = Tensor.allocate(arena, w.name() + ".values", dtype, rows, cols / 2);
        Tensor meta = Tensor.allocate(arena, w.name() + ".meta", DType.U8, rows, metaPerRow);
        MemorySegment src = w.data();
        MemorySegment vals = values.data();
        MemorySegment m = meta.data();
        int size = dtype.byteSize();
        for (int r = 0; r < rows; r++) {
            long rowGroup = (long) r * groups;
            int pending = 0;
            for (int g = 0; g < groups; g++) {
                int nz = nonZeros(src, dtype, rowGroup + g);
                int nibble = NIBBLE_OF_NONZEROS[nz];
                if (nibble < 0) {
                    throw notTwoFour(w, r, g, nz);
                }
                long group = rowGroup + g;
                // Zero slots stay +0 from the allocation: only real non-zeros are copied.
                copyIfNonZero(src, (group * 4 + (nibble & 3)) * size, vals, group * 2 * size, size, nz, nibble & 3);
                copyIfNonZero(src, (group * 4 + (nibble >>> 2)) * size, vals, (group * 2 + 1) * size, size, nz,
                        nibble >>> 2);
                if ((g & 1) == 0) {
                    pending = nibble;
                } else {
                    m.set(ValueLayout.JAVA_BYTE, (long) r * metaPerRow + g / 2, (byte) (pending | nibble << 4));
                }
            }
            if ((groups & 1) == 1) {
                m.set(ValueLayout.JAVA_BYTE, (long) r * metaPerRow + groups / 2,
                        (byte) (pending | Sparse24.ZERO_GROUP_NIBBLE << 4));
            }
        }
        return new Sparse24(w.name(), rows, cols, values, meta);
    }

    private static void copyIfNonZero(MemorySegment src, long from, MemorySegment dst, long to, int size, int nz,
                                      int position) {
        if ((nz >>> position & 1) != 0) {
            copyElement(src, from, dst, to, size);
        }
    }

    private static void copyElement(MemorySegment src, long from, MemorySegment dst, long to, int size) {
        if (size == 2) {
            dst.set(LittleEndian.I16, to, src.get(LittleEndian.I16, from));
        } else {
            dst.set(LittleEndian.I32, to, src.get(LittleEndian.I32, from));
        }
    }

    static Tensor decompress(Sparse24 s, Arena arena) {
        int rows = s.rows();
        int cols = s.cols();
        int groups = cols / 4;
        int size = s.dtype().byteSize();
        Tensor dense = Tensor.allocate(arena, s.name(), s.dtype(), rows, cols);
        MemorySegment vals = s.values().data();
        MemorySegment out = dense.data();
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int nibble = s.nibble(r, g);
                long group = (long) r * groups + g;
                copyElement(vals, group * 2 * size, out, (group * 4 + (nibble & 3)) * size, size);
                copyElement(vals, (group * 2 + 1) * size, out, (group * 4 + (nibble >>> 2)) * size, size);
            }
        }
        return dense;
    }
}
