package dev.prune4j.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's entry in a GGUF file.
 *
 * @param name   the tensor's name ({@code blk.0.attn_q.weight})
 * @param type   its element type
 * @param dims   its dimensions in ggml's order, fastest first: {@code dims[0]} is the length of a
 *               row. A ggml {@code [576, 1536]} is PyTorch's {@code [1536, 576]}.
 * @param offset where its bytes start, relative to the file's data section
 * @param bytes  how many bytes it holds
 */
public record GgufTensorInfo(String name, GgmlType type, long[] dims, long offset, long bytes) {
    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** The dimensions row-major, slowest first, as PyTorch and safetensors write them. */
    public long[] shape() {
        long[] s = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            s[i] = dims[dims.length - 1 - i];
        }
        return s;
    }

    public long numel() {
        long n = 1;
        for (long d : dims) {
            n *= d; // checked against overflow when the file was read
        }
        return n;
    }

    /** Elements per row: {@code dims[0]} (1 for a scalar). */
    public long rowLength() {
        return dims.length == 0 ? 1 : dims[0];
    }

    /** Rows: every dimension but the first, multiplied (1 for a scalar or a vector). */
    public long rows() {
        long r = 1;
        for (int i = 1; i < dims.length; i++) {
            r *= dims[i];
        }
        return r;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && type == t.type && Arrays.equals(dims, t.dims)
                && offset == t.offset && bytes == t.bytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(dims), offset, bytes);
    }

    @Override
    public String toString() {
        return name + " " + type + Arrays.toString(shape());
    }
}
