package dev.prune4j.safetensors;

import dev.prune4j.tensor.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a writer needs to know about a tensor before its bytes exist: name, dtype and shape.
 *
 * @param name  the tensor's name in the header
 * @param dtype its element type
 * @param shape its dimensions, row-major; {@code []} for a scalar
 */
public record TensorSpec(String name, DType dtype, long[] shape) {
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in shape "
                        + Arrays.toString(shape));
            }
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (1 for a scalar, 0 when a dimension is 0). */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes the tensor occupies in the data buffer. */
    public long byteSize() {
        return Math.multiplyExact(numel(), (long) dtype.byteSize());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec s && name.equals(s.name) && dtype == s.dtype
                && Arrays.equals(shape, s.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
