package dev.prune4j.internal.cpu;

import dev.prune4j.tensor.DType;

/**
 * How the kernels widen a weight's elements to F32. F16 has two kinds: the fast widening in the
 * vector kernels handles zeros, subnormals and normal numbers exactly but not Inf and NaN (exponent
 * 31), so a weight holding any of those (found once, when the layer is prepared) takes the variant
 * with the extra compare and blend.
 */
enum WeightKind {
    F32(4),
    BF16(2),
    F16(2),
    F16_WITH_INF_OR_NAN(2);

    /** Bytes per element. */
    final int bytes;

    WeightKind(int bytes) {
        this.bytes = bytes;
    }

    /** The kind of a {@code dtype} weight; {@code infOrNan} only matters for F16. */
    static WeightKind of(DType dtype, boolean infOrNan) {
        return switch (dtype) {
            case F32 -> F32;
            case BF16 -> BF16;
            case F16 -> infOrNan ? F16_WITH_INF_OR_NAN : F16;
            default -> throw new IllegalArgumentException("dtype " + dtype + " is not F32, F16 or BF16");
        };
    }
}
