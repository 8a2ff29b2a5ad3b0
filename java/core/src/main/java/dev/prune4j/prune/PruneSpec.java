package dev.prune4j.prune;

/**
 * What to prune to: an unstructured ratio met exactly within a group of weights (each row, each
 * tensor, or every selected tensor together), or an N:M pattern. Methods that prune layer by layer
 * (Wanda, SparseGPT) take every form but {@link Global}, which needs the whole model at once.
 *
 * <pre>{@code
 * PruneSpec half = PruneSpec.unstructured(0.5, Scope.ROW);     // floor(0.5 * cols) per row
 * PruneSpec twoFour = PruneSpec.nm(NmPattern.TWO_FOUR);
 * String how = switch (spec) {
 *     case PruneSpec.PerRow r -> "per row";
 *     case PruneSpec.PerTensor t -> "per tensor";
 *     case PruneSpec.Global g -> "globally";
 *     case PruneSpec.NofM nm -> nm.pattern().toString();
 * };
 * }</pre>
 */
public sealed interface PruneSpec {
    /** A ratio {@code r} that prunes exactly {@code floor(r * n)} of the {@code n} weights of each group. */
    sealed interface Unstructured extends PruneSpec permits PerRow, PerTensor, Global {
        double ratio();

        /** The group within which the count is exact. */
        Scope scope();

        /** {@code floor(ratio * count)}: how many of {@code count} weights the ratio prunes. */
        default long prunedOf(long count) {
            return PruneCount.of(ratio(), count);
        }

        @Override
        default double targetSparsity() {
            return ratio();
        }
    }

    /** {@code floor(r * cols)} weights of every row (output channel). */
    record PerRow(double ratio) implements Unstructured {
        public PerRow {
            PruneCount.checkRatio(ratio);
        }

        @Override
        public Scope scope() {
            return Scope.ROW;
        }

        @Override
        public String toString() {
            return ratio + " (row)";
        }
    }

    /** {@code floor(r * numel)} weights of every tensor. */
    record PerTensor(double ratio) implements Unstructured {
        public PerTensor {
            PruneCount.checkRatio(ratio);
        }

        @Override
        public Scope scope() {
            return Scope.TENSOR;
        }

        @Override
        public String toString() {
            return ratio + " (tensor)";
        }
    }

    /** {@code floor(r * total)} weights of all selected tensors together: one threshold for the model. */
    record Global(double ratio) implements Unstructured {
        public Global {
            PruneCount.checkRatio(ratio);
        }

        @Override
        public Scope scope() {
            return Scope.GLOBAL;
        }

        @Override
        public String toString() {
            return ratio + " (global)";
        }
    }

    /** Keep {@code n} of every {@code m} consecutive weights of a row (2:4 for sparse tensor cores). */
    record NofM(NmPattern pattern) implements PruneSpec {
        public NofM {
            java.util.Objects.requireNonNull(pattern, "pattern");
        }

        @Override
        public double targetSparsity() {
            return pattern.sparsity();
        }

        @Override
        public String toString() {
            return pattern.toString();
        }
    }

    /** The fraction of weights each group (or the pattern) ends up pruning. */
    double targetSparsity();

    /** An unstructured ratio within {@code scope}. */
    static Unstructured unstructured(double ratio, Scope scope) {
        return switch (scope) {
            case ROW -> new PerRow(ratio);
            case TENSOR -> new PerTensor(ratio);
            case GLOBAL -> new Global(ratio);
        };
    }

    static PerRow perRow(double ratio) {
        return new PerRow(ratio);
    }

    static PerTensor perTensor(double ratio) {
        return new PerTensor(ratio);
    }

    static Global global(double ratio) {
        return new Global(ratio);
    }

    static NofM nm(NmPattern pattern) {
        return new NofM(pattern);
    }

    /** {@code n:m}. */
    static NofM nm(int n, int m) {
        return new NofM(new NmPattern(n, m));
    }

    /** The error a layer-by-layer method gives for {@link Global}: it has no model-wide threshold. */
    static IllegalArgumentException globalIsNotPerLayer(String method) {
        return new IllegalArgumentException("global scope is for magnitude pruning; " + method
                + " compares within a row or a tensor");
    }
}
