package dev.prune4j.analysis;

import dev.prune4j.tensor.DType;

/**
 * A tensor an analysis left out, and why (for example an integer buffer in a floating-point
 * checkpoint).
 */
public record SkippedTensor(String name, DType dtype, String reason) {
    static SkippedTensor notFloating(String name, DType dtype) {
        return new SkippedTensor(name, dtype, "dtype " + dtype + " is not F32, F16 or BF16");
    }
}
