package dev.prune4j.prune;

/**
 * How much of a layer to prune and over which group the count is exact: {@code floor(r * n)} per
 * output row, {@code floor(r * n)} over the whole tensor, or N:M (keep {@code n} of every {@code m}
 * consecutive weights of a row).
 */
public record PruneTarget(Group group, double ratio, int n, int m) {
    public enum Group { PER_ROW, PER_TENSOR, N_M }

    public PruneTarget {
        if (group == Group.N_M) {
            if (n <= 0 || n >= m) {
                throw new IllegalArgumentException("N:M pattern needs 0 < N < M, got " + n + ":" + m);
            }
        } else if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("sparsity ratio must be in [0, 1], got " + ratio);
        }
    }

    public static PruneTarget perRow(double ratio) {
        return new PruneTarget(Group.PER_ROW, ratio, 0, 0);
    }

    public static PruneTarget perTensor(double ratio) {
        return new PruneTarget(Group.PER_TENSOR, ratio, 0, 0);
    }

    /** Keep {@code n} of every {@code m} consecutive weights of a row (2:4 for sparse tensor cores). */
    public static PruneTarget nm(int n, int m) {
        return new PruneTarget(Group.N_M, (double) (m - n) / m, n, m);
    }

    /** {@code floor(ratio * count)}: how many of {@code count} weights an exact ratio prunes. */
    public long prunedOf(long count) {
        return PruneCount.of(ratio, count);
    }

    @Override
    public String toString() {
        return switch (group) {
            case PER_ROW -> ratio + " per row";
            case PER_TENSOR -> ratio + " per tensor";
            case N_M -> n + ":" + m;
        };
    }
}
