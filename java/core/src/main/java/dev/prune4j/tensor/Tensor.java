package dev.prune4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named, typed, shaped view of memory: a tensor mapped from a safetensors file, allocated in an
 * {@link Arena}, or allocated by an engine on its device. Elements are little-endian and row-major,
 * as in safetensors; a host segment need not be aligned (safetensors does not promise alignment).
 *
 * <p>A {@code Tensor} owns nothing: the arena, mapping or engine arena behind its memory decides its
 * lifetime. A tensor on a device ({@link #device()} is not {@link Device#HOST}) has a zero-length
 * {@link #data()} segment whose address is the device pointer: it is passed to that engine's kernels
 * and never read on the host, so a mistake throws instead of reading device memory as host memory.
 * Move it with the engine's arena ({@code upload}, {@code download}).
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
    private final long byteSize;
    private final Device device;
    private final MemorySegment data;

    /** A host tensor over {@code data}, which holds exactly the tensor's bytes. */
    public Tensor(String name, DType dtype, long[] shape, MemorySegment data) {
        this(name, dtype, shape, Device.HOST, data);
        if (data.byteSize() != byteSize) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " of " + dtype + " needs " + byteSize + " bytes, got " + data.byteSize());
        }
    }

    private Tensor(String name, DType dtype, long[] shape, Device device, MemorySegment data) {
        this.name = Objects.requireNonNull(name, "name");
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = shape.clone();
        this.numel = numel(name, this.shape);
        this.byteSize = Math.multiplyExact(numel, (long) dtype.byteSize());
        this.device = Objects.requireNonNull(device, "device");
        this.data = Objects.requireNonNull(data, "data");
    }

    /**
     * A tensor in device memory, for engines: {@code pointer} is a zero-length segment at the device
     * address (scoped to whatever frees that memory, so a use after free throws).
     */
    public static Tensor onDevice(String name, DType dtype, long[] shape, Device device, MemorySegment pointer) {
        if (device.isHost()) {
            throw new IllegalArgumentException("tensor '" + name + "': onDevice needs a device, not the host");
        }
        if (pointer.byteSize() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': a device tensor's segment must be zero-length");
        }
        return new Tensor(name, dtype, shape, device, pointer);
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

    /**
     * The tensor's memory: on the host, exactly {@link #byteSize()} bytes; on a device, a zero-length
     * segment at the device address (see the class comment).
     */
    public MemorySegment data() {
        return data;
    }

    /** Where the bytes live. */
    public Device device() {
        return device;
    }

    public boolean isHost() {
        return device.isHost();
    }

    public long byteSize() {
        return byteSize;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** The same data under another name. */
    public Tensor withName(String newName) {
        return new Tensor(newName, dtype, shape, device, data);
    }

    /** Throws unless this tensor's bytes are host memory: device tensors are read through their engine. */
    public Tensor requireHost() {
        if (!device.isHost()) {
            throw new IllegalStateException("tensor '" + name + "' " + shapeString() + " is on " + device
                    + ": download it to the host (the engine's arena) before reading it");
        }
        return this;
    }

    /** Element {@code i} (flat, row-major) as a float. Only for the floating-point dtypes, on the host. */
    public float getFloat(long i) {
        requireHost();
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
        requireHost();
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
        requireHost();
        return data.getAtIndex(I16, i);
    }

    /** The raw bits of an F32 element. */
    public int getBits32(long i) {
        requireHost();
        return data.getAtIndex(I32, i);
    }

    /** Reads the whole tensor into a new float array. For small tensors and tests only. */
    public float[] toFloatArray() {
        requireHost();
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
        requireHost();
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
        return name + " " + dtype + shapeString() + (device.isHost() ? "" : " on " + device);
    }
}
