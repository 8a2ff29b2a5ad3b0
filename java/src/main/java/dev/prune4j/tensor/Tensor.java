package dev.prune4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named, typed, shaped view of off-heap memory: a tensor mapped from a safetensors file or
 * allocated in an {@link Arena}. Elements are little-endian and row-major, as in safetensors; the
 * segment need not be aligned (safetensors does not promise alignment).
 *
 * <p>A {@code Tensor} owns nothing: the arena or mapping behind its segment decides its lifetime.
 */
public final class Tensor {
    static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    // Constants, not built per call: a layout made per access costs a var-handle lookup each time.
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final long numel;
    private final MemorySegment data;

    public Tensor(String name, DType dtype, long[] shape, MemorySegment data) {
        this.name = Objects.requireNonNull(name, "name");
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = shape.clone();
        this.numel = numel(name, this.shape);
        long expected = Math.multiplyExact(numel, (long) dtype.byteSize());
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " of " + dtype + " needs " + expected + " bytes, got " + data.byteSize());
        }
        this.data = data;
    }

    /** A zero-filled tensor allocated in {@code arena}. */
    public static Tensor allocate(Arena arena, String name, DType dtype, long... shape) {
        long bytes = Math.multiplyExact(numel(name, shape), (long) dtype.byteSize());
        return new Tensor(name, dtype, shape, arena.allocate(Math.max(bytes, 0), 8));
    }

    /** An F32 tensor holding {@code values}, allocated in {@code arena}. Convenient in tests. */
    public static Tensor ofFloats(Arena arena, String name, DType dtype, float[] values, long... shape) {
        Tensor t = allocate(arena, name, dtype, shape);
        if (t.numel() != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "': " + values.length
                    + " values for shape " + Arrays.toString(shape));
        }
        for (int i = 0; i < values.length; i++) {
            t.setFloat(i, values[i]);
        }
        return t;
    }

    private static long numel(String name, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in shape "
                        + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long numel() {
        return numel;
    }

    /** Rows of the tensor seen as a matrix {@code [prod(shape[:-1]), shape[-1]]}. */
    public long rows() {
        return shape.length == 0 ? 1 : numel / Math.max(1, shape[shape.length - 1]);
    }

    /** The last dimension (1 for a scalar): the length of a row, along which N:M groups run. */
    public long cols() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    public MemorySegment data() {
        return data;
    }

    public long byteSize() {
        return data.byteSize();
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** The same data under another name. */
    public Tensor withName(String newName) {
        return new Tensor(newName, dtype, shape, data);
    }

    /** Element {@code i} (flat, row-major) as a float. Only for the floating-point dtypes. */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, i);
            case F16 -> Half.f16ToFloat(data.getAtIndex(I16, i));
            case BF16 -> Half.bf16ToFloat(data.getAtIndex(I16, i));
            case F64 -> (float) data.getAtIndex(F64, i);
            default -> throw notFloating();
        };
    }

    /** Stores {@code value} at flat index {@code i}, rounding to the tensor's dtype. */
    public void setFloat(long i, float value) {
        switch (dtype) {
            case F32 -> data.setAtIndex(F32, i, value);
            case F16 -> data.setAtIndex(I16, i, Half.floatToF16(value));
            case BF16 -> data.setAtIndex(I16, i, Half.floatToBf16(value));
            case F64 -> data.setAtIndex(F64, i, value);
            default -> throw notFloating();
        }
    }

    /** The raw bits of a 16-bit element (F16 or BF16). */
    public short getBits16(long i) {
        return data.getAtIndex(I16, i);
    }

    /** The raw bits of an F32 element. */
    public int getBits32(long i) {
        return data.getAtIndex(I32, i);
    }

    /** Reads the whole tensor into a new float array. For small tensors and tests only. */
    public float[] toFloatArray() {
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor '" + name + "' is too large for a float[]: " + shapeString());
        }
        float[] out = new float[(int) numel];
        for (int i = 0; i < out.length; i++) {
            out[i] = getFloat(i);
        }
        return out;
    }

    /** Copies this tensor's bytes into a new segment of {@code arena}. */
    public Tensor copy(Arena arena) {
        Tensor t = allocate(arena, name, dtype, shape);
        MemorySegment.copy(data, 0, t.data, 0, data.byteSize());
        return t;
    }

    private IllegalStateException notFloating() {
        return new IllegalStateException("tensor '" + name + "' has dtype " + dtype
                + ", not a floating-point type prune4j can compute on");
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeString();
    }
}
