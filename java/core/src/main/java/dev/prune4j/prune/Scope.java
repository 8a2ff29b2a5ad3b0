package dev.prune4j.prune;

import java.util.Locale;

/** The group of weights within which an unstructured ratio is met exactly. */
public enum Scope {
    /** Each output row (last dimension) prunes {@code floor(r * cols)}. */
    ROW,
    /** Each tensor prunes {@code floor(r * numel)}. */
    TENSOR,
    /** All selected tensors together prune {@code floor(r * total)}: one threshold for the model. */
    GLOBAL;

    public static Scope parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown scope '" + s + "' (expected row, tensor or global)");
        }
    }

    /** {@code row}, {@code tensor} or {@code global}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
