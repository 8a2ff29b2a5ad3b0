package dev.prune4j.safetensors;

import dev.prune4j.tensor.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * One header entry of a safetensors file: a tensor's name, dtype, shape and where its bytes lie.
 *
 * @param name  the tensor's name
 * @param dtype its element type
 * @param shape its dimensions; {@code []} for a scalar
 * @param begin first byte, relative to the start of the data buffer (as in {@code data_offsets})
 * @param end   one past the last byte, relative to the start of the data buffer
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) {
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("tensor '" + name + "': bad offsets [" + begin + ", " + end + "]");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** {@code end - begin}: the tensor's size in bytes. */
    public long byteSize() {
        return end - begin;
    }

    /** The entry without its position, e.g. to declare the same tensor in a new file. */
    public TensorSpec spec() {
        return new TensorSpec(name, dtype, shape);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " @[" + begin + ", " + end + ")";
    }
}
