package dev.prune4j.internal.cpu;

import dev.prune4j.tensor.DType;
import dev.prune4j.mask.KeySpace;
import dev.prune4j.tensor.Half;
import dev.prune4j.tensor.NotANumberException;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Reads the magnitude key of one element in a {@link KeySpace}; shared by the CPU kernels. */
final class MagnitudeKeys {
    /** F32 key of every F16 magnitude: {@code bits(|f16|)} widened, indexed by the 15 low bits. */
    private static final int[] F16_TO_F32_KEY = new int[1 << 15];

    static {
        for (int k = 0; k < F16_TO_F32_KEY.length; k++) {
            F16_TO_F32_KEY[k] = Float.floatToRawIntBits(Half.f16ToFloat((short) k));
        }
    }

    private static final ValueLayout.OfInt BITS32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort BITS16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Tensor tensor;
    private final DType dtype;
    private final boolean widen;
    private final int infinityKey;

    /** Keys of {@code tensor} in {@code keys}; the facade checked that they fit ({@link KeySpace#requireFits}). */
    MagnitudeKeys(Tensor tensor, KeySpace keys) {
        this.tensor = tensor;
        this.dtype = tensor.dtype();
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
            throw NotANumberException.at(tensor, i);
        }
        return k;
    }

    /**
     * The keys of elements {@code from .. from+count-1} into {@code out[0..count-1]}: the bulk form
     * the kernels use, one tight loop per dtype instead of a dispatch per element.
     */
    void keys(long from, int count, int[] out) {
        MemorySegment data = tensor.data();
        switch (dtype) {
            case F32 -> {
                for (int j = 0; j < count; j++) {
                    out[j] = data.getAtIndex(BITS32, from + j) & 0x7FFFFFFF;
                }
            }
            case F16 -> {
                if (widen) {
                    for (int j = 0; j < count; j++) {
                        out[j] = F16_TO_F32_KEY[data.getAtIndex(BITS16, from + j) & 0x7FFF];
                    }
                } else {
                    for (int j = 0; j < count; j++) {
                        out[j] = data.getAtIndex(BITS16, from + j) & 0x7FFF;
                    }
                }
            }
            case BF16 -> {
                int shift = widen ? 16 : 0;
                for (int j = 0; j < count; j++) {
                    out[j] = (data.getAtIndex(BITS16, from + j) & 0x7FFF) << shift;
                }
            }
            default -> throw new AssertionError(dtype);
        }
        int max = 0;
        for (int j = 0; j < count; j++) {
            max = Math.max(max, out[j]);
        }
        if (max > infinityKey) {
            for (int j = 0; j < count; j++) {
                if (out[j] > infinityKey) {
                    throw NotANumberException.at(tensor, from + j);
                }
            }
        }
    }

}
