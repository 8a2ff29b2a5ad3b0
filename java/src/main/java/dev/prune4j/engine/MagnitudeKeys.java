package dev.prune4j.engine;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Half;
import dev.prune4j.tensor.Tensor;

/** Reads the magnitude key of one element in a {@link KeySpace}; shared by the CPU kernels. */
final class MagnitudeKeys {
    /** F32 key of every F16 magnitude: {@code bits(|f16|)} widened, indexed by the 15 low bits. */
    private static final int[] F16_TO_F32_KEY = new int[1 << 15];

    static {
        for (int k = 0; k < F16_TO_F32_KEY.length; k++) {
            F16_TO_F32_KEY[k] = Float.floatToRawIntBits(Half.f16ToFloat((short) k));
        }
    }

    private final Tensor tensor;
    private final DType dtype;
    private final boolean widen;
    private final int infinityKey;

    MagnitudeKeys(Tensor tensor, KeySpace keys) {
        this.tensor = tensor;
        this.dtype = tensor.dtype();
        if (!dtype.prunable()) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' has dtype " + dtype
                    + ": only F32, F16 and BF16 weights can be pruned");
        }
        if (keys != KeySpace.F32_BITS && KeySpace.forDType(dtype) != keys) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' (" + dtype
                    + ") cannot be keyed in " + keys);
        }
        this.widen = keys == KeySpace.F32_BITS && dtype != DType.F32;
        this.infinityKey = keys.infinityKey();
    }

    /** The key of element {@code i}; a NaN is reported with the tensor's name and position. */
    int key(long i) {
        int k = switch (dtype) {
            case F32 -> tensor.getBits32(i) & 0x7FFFFFFF;
            case F16 -> widen ? F16_TO_F32_KEY[tensor.getBits16(i) & 0x7FFF] : tensor.getBits16(i) & 0x7FFF;
            case BF16 -> widen ? (tensor.getBits16(i) & 0x7FFF) << 16 : tensor.getBits16(i) & 0x7FFF;
            default -> throw new AssertionError(dtype);
        };
        if (k > infinityKey) {
            throw nanAt(tensor, i);
        }
        return k;
    }

    static IllegalArgumentException nanAt(Tensor t, long i) {
        long cols = t.cols();
        return new IllegalArgumentException("tensor '" + t.name() + "' " + t.shapeString()
                + " holds NaN at flat index " + i + " (row " + (i / cols) + ", column " + (i % cols)
                + "): NaN weights have no magnitude and cannot be pruned");
    }
}
