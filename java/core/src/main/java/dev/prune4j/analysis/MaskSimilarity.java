package dev.prune4j.analysis;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The Jaccard distance between the zero patterns (masks) of two checkpoints A and B, tensor by
 * tensor for the tensors both have under the same name, and overall.
 *
 * <p>{@link #overall()} counts over the union of all compared positions: {@code 1 - Σ|Z_a ∩ Z_b| /
 * Σ|Z_a ∪ Z_b|}, so a large tensor weighs more than a small one; it is not the mean of the
 * per-tensor distances. Tensors only one side has are listed in {@link #onlyInA()} /
 * {@link #onlyInB()}; tensors that are not F32, F16 or BF16 on either side in {@link #skipped()}.
 * A tensor whose shapes differ between A and B is an error.
 *
 * @param tensors one {@link ZeroOverlap} per compared tensor, in A's order
 * @param overall the sum over all compared tensors, named {@code "overall"}
 * @param onlyInA names in A and not in B, in A's order
 * @param onlyInB names in B and not in A, in B's order
 * @param skipped tensors of both sides left out for their dtype
 */
public record MaskSimilarity(List<ZeroOverlap> tensors, ZeroOverlap overall, List<String> onlyInA,
                             List<String> onlyInB, List<SkippedTensor> skipped) {
    /** The name of the overall row. */
    public static final String OVERALL = "overall";

    public MaskSimilarity {
        tensors = List.copyOf(tensors);
        Objects.requireNonNull(overall, "overall");
        onlyInA = List.copyOf(onlyInA);
        onlyInB = List.copyOf(onlyInB);
        skipped = List.copyOf(skipped);
    }

    /** Compares the zero positions of two same-shaped tensors (dtypes may differ). */
    public static ZeroOverlap of(Tensor a, Tensor b) {
        return of(a, b, null);
    }

    /** As {@link #of(Tensor, Tensor)}, on the threads of {@code engine} ({@code null}: common pool). */
    public static ZeroOverlap of(Tensor a, Tensor b, CpuEngine engine) {
        checkShapes(a.name(), a.shape(), b.shape());
        for (Tensor t : List.of(a, b)) {
            if (!t.dtype().prunable()) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' has dtype " + t.dtype()
                        + "; zero patterns are compared for F32, F16 and BF16 only");
            }
        }
        long[] z = ZeroScan.count(a, b, TaskSplit.parallel(engine));
        return new ZeroOverlap(a.name(), a.shape(), a.numel(), z[0], z[1], z[2]);
    }

    /** Compares the pruned (0) positions of two masks of the same shape, a word at a time. */
    public static ZeroOverlap of(String name, Mask a, Mask b) {
        checkShapes(name, a.shape(), b.shape());
        long[] wa = a.words();
        long[] wb = b.words();
        long keptA = 0;
        long keptB = 0;
        long keptEither = 0;
        for (int i = 0; i < wa.length; i++) {
            keptA += Long.bitCount(wa[i]);
            keptB += Long.bitCount(wb[i]);
            keptEither += Long.bitCount(wa[i] | wb[i]);
        }
        long n = a.size();
        // Pruned in both = not kept in either; bits past the last weight are 0 on both sides, so
        // they are never counted as kept.
        return new ZeroOverlap(name, a.shape(), n, n - keptA, n - keptB, n - keptEither);
    }

    /** Compares two lists of tensors by name, on the common fork-join pool. */
    public static MaskSimilarity compare(List<Tensor> a, List<Tensor> b) {
        return compare(names(a), byName(a)::get, names(b), byName(b)::get, null);
    }

    /**
     * Compares checkpoints A and B, given as tensor names and a way to fetch each tensor (fetched one
     * pair at a time, so checkpoints larger than memory stream through).
     *
     * @throws IllegalArgumentException when a tensor has different shapes in A and B (the message
     *                                  names the tensor and both shapes), or a name is repeated or unknown
     */
    public static MaskSimilarity compare(List<String> namesA, Function<String, Tensor> a, List<String> namesB,
                                         Function<String, Tensor> b, CpuEngine engine) {
        Set<String> inB = unique(namesB, "B");
        List<ZeroOverlap> rows = new ArrayList<>();
        List<SkippedTensor> skipped = new ArrayList<>();
        List<String> onlyA = new ArrayList<>();
        for (String name : unique(namesA, "A")) {
            if (!inB.contains(name)) {
                onlyA.add(name);
                continue;
            }
            Tensor ta = fetch(a, name, "A");
            Tensor tb = fetch(b, name, "B");
            checkShapes(name, ta.shape(), tb.shape());
            if (!ta.dtype().prunable() || !tb.dtype().prunable()) {
                skipped.add(SkippedTensor.notFloating(name, ta.dtype().prunable() ? tb.dtype() : ta.dtype()));
                continue;
            }
            rows.add(of(ta, tb, engine));
        }
        Set<String> inA = new HashSet<>(namesA);
        List<String> onlyB = namesB.stream().filter(n -> !inA.contains(n)).toList();
        return new MaskSimilarity(rows, sum(rows), onlyA, onlyB, skipped);
    }

    /** Compares two sets of masks by name; iteration order of {@code a} gives the row order. */
    public static MaskSimilarity compareMasks(Map<String, Mask> a, Map<String, Mask> b) {
        List<ZeroOverlap> rows = new ArrayList<>();
        List<String> onlyA = new ArrayList<>();
        for (Map.Entry<String, Mask> e : a.entrySet()) {
            Mask mb = b.get(e.getKey());
            if (mb == null) {
                onlyA.add(e.getKey());
            } else {
                rows.add(of(e.getKey(), e.getValue(), mb));
            }
        }
        List<String> onlyB = b.keySet().stream().filter(n -> !a.containsKey(n)).toList();
        return new MaskSimilarity(rows, sum(rows), onlyA, onlyB, List.of());
    }

    private static ZeroOverlap sum(List<ZeroOverlap> rows) {
        ZeroOverlap total = new ZeroOverlap(OVERALL, new long[0], 0, 0, 0, 0);
        for (ZeroOverlap r : rows) {
            total = total.plus(r, OVERALL);
        }
        return total;
    }

    private static void checkShapes(String name, long[] a, long[] b) {
        if (!Arrays.equals(a, b)) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(a)
                    + " in A but " + Arrays.toString(b) + " in B");
        }
    }

    private static Tensor fetch(Function<String, Tensor> source, String name, String side) {
        Tensor t = source.apply(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "' in " + side);
        }
        return t;
    }

    private static Set<String> unique(List<String> names, String side) {
        Set<String> set = new LinkedHashSet<>();
        for (String n : names) {
            if (!set.add(n)) {
                throw new IllegalArgumentException("tensor '" + n + "' is listed twice in " + side);
            }
        }
        return set;
    }

    private static List<String> names(List<Tensor> tensors) {
        return tensors.stream().map(Tensor::name).toList();
    }

    private static Map<String, Tensor> byName(List<Tensor> tensors) {
        Map<String, Tensor> map = new HashMap<>();
        for (Tensor t : tensors) {
            map.put(t.name(), t);
        }
        return map;
    }
}
