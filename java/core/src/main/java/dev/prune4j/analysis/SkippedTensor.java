package dev.prune4j.analysis;

import dev.prune4j.tensor.DType;

/**
 * A tensor an analysis left out, and why (for example an integer buffer in a floating-point
 * checkpoint).
 *
 * @param name   the tensor's name
 * @param dtype  its dtype
 * @param reason why it was left out, as a phrase
 */
public record SkippedTensor(String name, DType dtype, String reason) {
    static SkippedTensor notFloating(String name, DType dtype) {
        return new SkippedTensor(name, dtype, "dtype " + dtype + " is not F32, F16 or BF16");
    }
}
