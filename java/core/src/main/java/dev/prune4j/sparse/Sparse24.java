package dev.prune4j.sparse;

import dev.prune4j.internal.tensor.LittleEndian;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A 2:4 semi-structured weight {@code [out, in]} in prune4j's canonical compressed form (format
 * {@value #FORMAT} version {@value #VERSION}). Both engines and the files read and write exactly this
 * layout; the CUTLASS layouts (sm_80 reordered metadata, sm_90a tiles) are derived from it on the GPU.
 *
 * <h2>Layout</h2>
 * A row of {@code in} weights is cut into {@code G = in / 4} groups of 4 consecutive weights (along
 * {@code in_features}, as sparse tensor cores need). Each group keeps exactly 2 positions
 * {@code i0 < i1} in {@code 0..3}.
 * <ul>
 *   <li>{@link #values()}: {@code [out, in / 2]}, the weight's dtype, row-major. Row {@code r} holds
 *       {@code w[r, 4g + i0], w[r, 4g + i1]} at columns {@code 2g, 2g + 1}. A kept weight that is zero
 *       (either sign) is stored as {@code +0}, so the compressed bytes depend only on the weight's
 *       values, never on the sign of its zeros.</li>
 *   <li>{@link #meta()}: {@code U8 [out, ceil(in / 8)]}, row-major. Group {@code g} of a row is the
 *       nibble {@code i0 | i1 << 2} in byte {@code g / 2} of the row, in the low nibble when {@code g}
 *       is even and the high nibble when odd. A row with an odd group count ({@code in % 8 == 4})
 *       ends with a padding nibble {@code 0x4} (the nibble of an all-zero group).</li>
 * </ul>
 * Because nibbles fill each byte from the low bits and bytes run in column order, a row's
 * metadata read as little-endian 16-bit words holds 4 groups per word with group {@code 4j} in bits
 * 0-3, and read as 32-bit words, 8 groups per word: exactly CUTLASS's and PyTorch's <em>unreordered</em>
 * 2:4 metadata for 16-bit types ({@code ElementE} = {@code uint16_t} or {@code uint32_t}, row-major
 * {@code M x K/16} resp. {@code M x K/32}), whenever {@code in} is a multiple of 16 resp. 32. The
 * only valid nibbles are {@code 0x4 (0,1), 0x8 (0,2), 0xC (0,3), 0x9 (1,2), 0xD (1,3), 0xE (2,3)}.
 *
 * <h2>Which positions a group keeps</h2>
 * Its non-zero weights ({@code -0.0} counts as zero, as in CUTLASS's compressor), in increasing
 * position; a group with fewer than 2 non-zeros is topped up with its lowest zero positions (an
 * all-zero group keeps 0 and 1, nibble {@code 0x4}). PyTorch picks other positions for such groups
 * ({@code 0xE} for an all-zero group); both decompress to the same dense weight. A group with 3 or 4
 * non-zeros makes the weight invalid.
 *
 * <p>F16 and BF16 are what sparse tensor cores run. F32 is accepted here for the CPU path; CUTLASS's
 * 32-bit sparse kernels want 1:2 pairs instead, so an F32 weight must be converted before it reaches
 * the GPU.
 *
 * <p>A {@code Sparse24} owns no memory: its tensors live in the arena it was compressed into, or in
 * the mapping of the file it was read from.
 */
public final class Sparse24 {
    /** Metadata key naming the format in safetensors files. */
    public static final String FORMAT = "prune4j.sparse24";
    /** Current version of the layout above. */
    public static final String VERSION = "v1";
    /** The nibble of an all-zero group (positions 0 and 1); also the padding nibble. */
    public static final int ZERO_GROUP_NIBBLE = 0x4;


    private final String name;
    private final int rows;
    private final int cols;
    private final Tensor values;
    private final Tensor meta;

    /**
     * Wraps existing values and metadata (as read from a file), checking their shapes and that
     * every nibble is a valid pair of positions.
     *
     * @param name the dense weight's name, e.g. {@code model.layers.0.mlp.up_proj.weight}
     * @param rows {@code out}
     * @param cols {@code in}, a multiple of 4
     */
    public Sparse24(String name, int rows, int cols, Tensor values, Tensor meta) {
        this.name = Objects.requireNonNull(name, "name");
        checkShape(name, rows, cols);
        this.rows = rows;
        this.cols = cols;
        if (!values.dtype().prunable()) {
            throw new IllegalArgumentException("2:4 weight '" + name + "': values have dtype " + values.dtype()
                    + ", expected F16, BF16 or F32");
        }
        if (!Arrays.equals(values.shape(), new long[] {rows, cols / 2})) {
            throw new IllegalArgumentException("2:4 weight '" + name + "' [" + rows + ", " + cols + "]: values have shape "
                    + values.shapeString() + ", expected [" + rows + ", " + cols / 2 + "]");
        }
        if (meta.dtype() != DType.U8 || !Arrays.equals(meta.shape(), new long[] {rows, metaBytesPerRow(cols)})) {
            throw new IllegalArgumentException("2:4 weight '" + name + "' [" + rows + ", " + cols + "]: metadata is "
                    + meta + ", expected U8[" + rows + ", " + metaBytesPerRow(cols) + "]");
        }
        this.values = values;
        this.meta = meta;
        checkNibbles();
    }

    /** Bytes of metadata per row: {@code ceil(in / 8)}. */
    public static int metaBytesPerRow(int cols) {
        return (cols + 7) / 8;
    }

    /** True when {@code nibble} names two positions {@code i0 < i1}. */
    public static boolean validNibble(int nibble) {
        return (nibble & 3) < (nibble >>> 2 & 3);
    }

    static void checkShape(String name, long rows, long cols) {
        if (cols % 4 != 0) {
            throw new IllegalArgumentException("tensor '" + name + "' [" + rows + ", " + cols
                    + "]: in_features " + cols + " is not a multiple of 4, so it cannot be 2:4 sparse");
        }
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + name + "' [" + rows + ", " + cols + "] is too large");
        }
    }

    /**
     * Compresses {@code weight} ({@code [out, in]}, F16, BF16 or F32) into {@code arena}; the weight
     * itself is only read.
     *
     * @throws IllegalArgumentException naming the tensor and shape when {@code in} is not a multiple of
     *         4 or the weight is not 2:4 (then also the first offending row and group)
     */
    public static Sparse24 compress(Tensor weight, Arena arena) {
        return Sparse24Codec.compress(weight, arena);
    }

    /** Checks that {@code weight} is 2:4 without compressing it; the same errors as {@link #compress}. */
    public static void requireValid(Tensor weight) {
        Sparse24Codec.requireValid(weight);
    }

    /** True when {@code weight} is a 2-D F16/BF16/F32 tensor with rows of whole groups of 4, each with at most 2 non-zeros. */
    public static boolean isValid(Tensor weight) {
        try {
            requireValid(weight);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The dense weight {@code [out, in]} (zeros where pruned), allocated in {@code arena}. */
    public Tensor decompress(Arena arena) {
        return Sparse24Codec.decompress(this, arena);
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return values.dtype();
    }

    /** {@code out_features}. */
    public int rows() {
        return rows;
    }

    /** {@code in_features}. */
    public int cols() {
        return cols;
    }

    /** The dense shape {@code [out, in]}. */
    public long[] shape() {
        return new long[] {rows, cols};
    }

    /** Kept values {@code [out, in / 2]} in the weight's dtype. */
    public Tensor values() {
        return values;
    }

    /** Packed positions {@code U8 [out, ceil(in / 8)]}. */
    public Tensor meta() {
        return meta;
    }

    /** The nibble {@code i0 | i1 << 2} of group {@code group} of row {@code row}. */
    public int nibble(int row, int group) {
        byte b = meta.data().get(ValueLayout.JAVA_BYTE, (long) row * metaBytesPerRow(cols) + group / 2);
        return (b >>> ((group & 1) * 4)) & 0xF;
    }

    /** Bytes of the compressed form (values and metadata). */
    public long byteSize() {
        return values.byteSize() + meta.byteSize();
    }

    private void checkNibbles() {
        MemorySegment m = meta.data();
        int perRow = metaBytesPerRow(cols);
        int groups = cols / 4;
        for (int r = 0; r < rows; r++) {
            long base = (long) r * perRow;
            for (int g = 0; g < groups; g += 2) {
                int b = m.get(ValueLayout.JAVA_BYTE, base + g / 2) & 0xFF;
                int bad = !validNibble(b & 0xF) ? g : (g + 1 < groups && !validNibble(b >>> 4)) ? g + 1 : -1;
                if (bad >= 0) {
                    throw new IllegalArgumentException("2:4 weight '" + name + "': metadata of row " + r + ", group "
                            + bad + " is not a valid pair of positions (nibble 0x"
                            + Integer.toHexString((b >>> ((bad & 1) * 4)) & 0xF) + ")");
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Sparse24[" + name + " " + dtype() + "[" + rows + ", " + cols + "]]";
    }
}
