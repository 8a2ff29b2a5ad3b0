package dev.prune4j.prune;

import dev.prune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The plain reference for magnitude selection: sort everything, take the first k. */
final class BruteForce {
    private BruteForce() {}

    /** Position of one weight among several tensors. */
    record Position(int tensor, long index, double magnitude) {}

    /** The k smallest magnitudes across the tensors, ties by tensor order then flat index. */
    static List<Position> smallest(List<Tensor> tensors, long k) {
        List<Position> all = new ArrayList<>();
        for (int t = 0; t < tensors.size(); t++) {
            Tensor tensor = tensors.get(t);
            for (long i = 0; i < tensor.numel(); i++) {
                all.add(new Position(t, i, Math.abs((double) tensor.getFloat(i))));
            }
        }
        all.sort(Comparator.comparingDouble(Position::magnitude)
                .thenComparingInt(Position::tensor)
                .thenComparingLong(Position::index));
        return all.subList(0, (int) k);
    }

    /** Pruned flat indices of one row-scoped selection. */
    static boolean[] prunedPerRow(Tensor t, int perRow) {
        int rows = (int) t.rows();
        int cols = (int) t.cols();
        boolean[] pruned = new boolean[rows * cols];
        for (int r = 0; r < rows; r++) {
            List<Integer> order = new ArrayList<>();
            for (int c = 0; c < cols; c++) {
                order.add(c);
            }
            final int row = r;
            order.sort(Comparator.comparingDouble((Integer c) -> Math.abs((double) t.getFloat((long) row * cols + c)))
                    .thenComparingInt(c -> c));
            for (int p = 0; p < perRow; p++) {
                pruned[r * cols + order.get(p)] = true;
            }
        }
        return pruned;
    }

    /** Kept flat indices of N:M: the n largest of each group, ties to the lower index. */
    static boolean[] keptNm(Tensor t, int n, int m) {
        int numel = (int) t.numel();
        boolean[] kept = new boolean[numel];
        for (int g = 0; g < numel; g += m) {
            List<Integer> order = new ArrayList<>();
            for (int j = 0; j < m; j++) {
                order.add(g + j);
            }
            order.sort(Comparator.comparingDouble((Integer i) -> -Math.abs((double) t.getFloat(i)))
                    .thenComparingInt(i -> i));
            for (int j = 0; j < n; j++) {
                kept[order.get(j)] = true;
            }
        }
        return kept;
    }
}
