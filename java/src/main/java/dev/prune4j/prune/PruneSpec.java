package dev.prune4j.prune;

/**
 * What to prune to: an unstructured ratio met exactly within a {@link Scope}, or an N:M pattern.
 * Exactly one of {@code ratio} and {@code pattern} is set.
 */
public record PruneSpec(Double ratio, Scope scope, NmPattern pattern) {
    public PruneSpec {
        if ((ratio == null) == (pattern == null)) {
            throw new IllegalArgumentException("give either a sparsity ratio or an N:M pattern");
        }
        if (ratio != null) {
            PruneCount.checkRatio(ratio);
            if (scope == null) {
                throw new IllegalArgumentException("an unstructured ratio needs a scope");
            }
        }
    }

    public static PruneSpec unstructured(double ratio, Scope scope) {
        return new PruneSpec(ratio, scope, null);
    }

    public static PruneSpec nm(NmPattern pattern) {
        return new PruneSpec(null, null, pattern);
    }

    public boolean isNm() {
        return pattern != null;
    }

    /** The sparsity each selected tensor (or the whole selection, in global scope) ends up with. */
    public double targetSparsity() {
        return isNm() ? pattern.sparsity() : ratio;
    }

    /**
     * The per-layer target of this spec, for the methods that prune layer by layer (Wanda,
     * SparseGPT); they have no global scope.
     */
    public PruneTarget layerTarget() {
        if (isNm()) {
            return PruneTarget.nm(pattern.n(), pattern.m());
        }
        return switch (scope) {
            case ROW -> PruneTarget.perRow(ratio);
            case TENSOR -> PruneTarget.perTensor(ratio);
            case GLOBAL -> throw new IllegalArgumentException(
                    "global scope is for magnitude pruning; Wanda and SparseGPT compare within a row or a tensor");
        };
    }

    @Override
    public String toString() {
        return isNm() ? pattern.toString() : ratio + " (" + scope.cliName() + ")";
    }
}
