package dev.prune4j.gguf;

import java.util.Optional;

/**
 * The element types of ggml tensors, with their ids in GGUF files and their block layout: a
 * tensor row of {@code n} elements is {@code n / blockSize} blocks of {@code blockBytes} bytes
 * each. Layout facts come from ggml's {@code ggml-common.h}; ids that ggml has retired (4, 5,
 * 31-33, 36-38) are absent.
 *
 * <p>Every type here can be laid out and validated, so a file holding, say, Q4_K tensors still
 * opens; only {@link #dequantizable()} types can be turned into floats.
 */
public enum GgmlType {
    F32(0, 1, 4, true),
    F16(1, 1, 2, true),
    Q4_0(2, 32, 18, true),
    Q4_1(3, 32, 20, true),
    Q5_0(6, 32, 22, false),
    Q5_1(7, 32, 24, false),
    Q8_0(8, 32, 34, true),
    Q8_1(9, 32, 36, false),
    Q2_K(10, 256, 84, false),
    Q3_K(11, 256, 110, false),
    Q4_K(12, 256, 144, false),
    Q5_K(13, 256, 176, false),
    Q6_K(14, 256, 210, false),
    Q8_K(15, 256, 292, false),
    IQ2_XXS(16, 256, 66, false),
    IQ2_XS(17, 256, 74, false),
    IQ3_XXS(18, 256, 98, false),
    IQ1_S(19, 256, 50, false),
    IQ4_NL(20, 32, 18, false),
    IQ3_S(21, 256, 110, false),
    IQ2_S(22, 256, 82, false),
    IQ4_XS(23, 256, 136, false),
    I8(24, 1, 1, false),
    I16(25, 1, 2, false),
    I32(26, 1, 4, false),
    I64(27, 1, 8, false),
    F64(28, 1, 8, false),
    IQ1_M(29, 256, 56, false),
    BF16(30, 1, 2, true),
    TQ1_0(34, 256, 54, false),
    TQ2_0(35, 256, 66, false),
    MXFP4(39, 32, 17, false);

    private final int id;
    private final int blockSize;
    private final int blockBytes;
    private final boolean dequantizable;

    GgmlType(int id, int blockSize, int blockBytes, boolean dequantizable) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.dequantizable = dequantizable;
    }

    /** The type's number in a GGUF tensor info. */
    public int id() {
        return id;
    }

    /** Elements per block (1 for the plain types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /** True for the types prune4j turns into floats exactly: F32, F16, BF16, Q8_0, Q4_0, Q4_1. */
    public boolean dequantizable() {
        return dequantizable;
    }

    /** Bytes of a row of {@code elements} (a multiple of the block size); overflow is an ArithmeticException. */
    public long rowBytes(long elements) {
        return Math.multiplyExact(elements / blockSize, (long) blockBytes);
    }

    /** The type with GGUF id {@code id}, if ggml defines one. */
    public static Optional<GgmlType> fromId(long id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
