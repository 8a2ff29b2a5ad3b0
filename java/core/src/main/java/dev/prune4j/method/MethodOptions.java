package dev.prune4j.method;

import dev.prune4j.owl.OwlOptions;
import dev.prune4j.refine.SparseSwaps;
import dev.prune4j.ria.Ria;
import dev.prune4j.sparsegpt.SparseGpt;
import java.util.Objects;

/**
 * The settings of every named method, each used only by the methods it concerns: SparseGPT's block
 * size and damping, RIA's activation exponent, OWL's lambda and M, and SparseSwaps' limits.
 */
public record MethodOptions(SparseGpt.Options sparseGpt, Ria.Options ria, OwlOptions owl, SparseSwaps.Options swaps) {
    public static final MethodOptions DEFAULT = new MethodOptions(SparseGpt.Options.DEFAULT, Ria.Options.DEFAULT,
            OwlOptions.DEFAULT, SparseSwaps.Options.DEFAULT);

    public MethodOptions {
        Objects.requireNonNull(sparseGpt, "sparseGpt");
        Objects.requireNonNull(ria, "ria");
        Objects.requireNonNull(owl, "owl");
        Objects.requireNonNull(swaps, "swaps");
    }

    public MethodOptions withSparseGpt(SparseGpt.Options o) {
        return new MethodOptions(o, ria, owl, swaps);
    }

    public MethodOptions withRia(Ria.Options o) {
        return new MethodOptions(sparseGpt, o, owl, swaps);
    }

    public MethodOptions withOwl(OwlOptions o) {
        return new MethodOptions(sparseGpt, ria, o, swaps);
    }

    public MethodOptions withSwaps(SparseSwaps.Options o) {
        return new MethodOptions(sparseGpt, ria, owl, o);
    }
}
