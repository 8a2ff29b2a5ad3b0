package dev.prune4j.mask;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.util.Collection;

/**
 * How magnitudes are turned into integer keys that sort like {@code |w|}.
 *
 * <p>For IEEE floats the bits of {@code |w|} read as an unsigned integer sort like {@code |w|}
 * itself, so selection needs no float compare: a histogram over key digits finds the exact k-th
 * smallest magnitude (radix select). Keys of one selection must come from one key space.
 * {@code -0.0} and {@code +0.0} get the same key (zero), as CUTLASS's 2:4 compressor sees them.
 */
public enum KeySpace {
    /** All tensors F16: the 15 low bits of the raw element. One histogram pass of 32768 bins. */
    F16_BITS(15, 0x7C00, new int[] {15}),
    /** All tensors BF16: the 15 low bits of the raw element. One histogram pass of 32768 bins. */
    BF16_BITS(15, 0x7F80, new int[] {15}),
    /** Any mix, F32 included: the 31 low bits of the value widened to F32 (exact for F16 and BF16). */
    F32_BITS(31, 0x7F800000, new int[] {11, 11, 9});

    private final int width;
    private final int infinityKey;
    private final int[] digitBits;

    KeySpace(int width, int infinityKey, int[] digitBits) {
        this.width = width;
        this.infinityKey = infinityKey;
        this.digitBits = digitBits;
    }

    /** Number of significant key bits. */
    public int width() {
        return width;
    }

    /** Keys above this one are NaN, which have no magnitude order and are rejected. */
    public int infinityKey() {
        return infinityKey;
    }

    /** Bits per radix pass, most significant digit first; they add up to {@link #width()}. */
    public int[] digitBits() {
        return digitBits.clone();
    }

    /** The narrowest key space that orders every tensor of {@code tensors} together. */
    public static KeySpace covering(Collection<Tensor> tensors) {
        DType common = null;
        for (Tensor t : tensors) {
            if (!t.dtype().prunable()) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' has dtype " + t.dtype()
                        + ": only F32, F16 and BF16 weights can be pruned");
            }
            if (common == null) {
                common = t.dtype();
            } else if (common != t.dtype()) {
                return F32_BITS;
            }
        }
        return forDType(common == null ? DType.F32 : common);
    }

    /** Throws unless {@code t} can be keyed in this space (its own 16-bit space, or F32 for any mix). */
    public void requireFits(Tensor t) {
        if (!t.dtype().prunable()) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has dtype " + t.dtype()
                    + ": only F32, F16 and BF16 weights can be pruned");
        }
        if (this != F32_BITS && forDType(t.dtype()) != this) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' (" + t.dtype() + ") cannot be keyed in " + this);
        }
    }

    public static KeySpace forDType(DType dtype) {
        return switch (dtype) {
            case F16 -> F16_BITS;
            case BF16 -> BF16_BITS;
            case F32 -> F32_BITS;
            default -> throw new IllegalArgumentException("no magnitude keys for dtype " + dtype);
        };
    }
}
