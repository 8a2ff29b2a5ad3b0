package dev.prune4j.analysis;

import java.util.Arrays;
import java.util.Objects;

/**
 * How the zero (pruned) positions of two same-shaped tensors or masks overlap. With Z_a and Z_b the
 * sets of zero positions, the Jaccard distance is {@code 1 - |Z_a ∩ Z_b| / |Z_a ∪ Z_b|}: 0 when the
 * two patterns are identical, 1 when they share no zero. When neither side has a zero the patterns
 * are identical (both empty) and the distance is defined as 0.
 *
 * @param name         the tensor's name, or {@code "overall"} for the sum over all pairs
 * @param shape        the common shape (empty for {@code overall}; the accessor returns a copy)
 * @param size         number of positions
 * @param zerosA       |Z_a|
 * @param zerosB       |Z_b|
 * @param intersection |Z_a ∩ Z_b|
 */
public record ZeroOverlap(String name, long[] shape, long size, long zerosA, long zerosB, long intersection) {
    public ZeroOverlap {
        Objects.requireNonNull(name, "name");
        shape = shape.clone();
        if (intersection < 0 || intersection > Math.min(zerosA, zerosB) || Math.max(zerosA, zerosB) > size) {
            throw new IllegalArgumentException("inconsistent counts for '" + name + "': size " + size + ", zeros "
                    + zerosA + " and " + zerosB + ", both " + intersection);
        }
    }

    /** |Z_a ∪ Z_b|. */
    public long union() {
        return zerosA + zerosB - intersection;
    }

    /** The Jaccard distance {@code 1 - |Z_a ∩ Z_b| / |Z_a ∪ Z_b|}, 0 when the union is empty. */
    public double jaccardDistance() {
        long u = union();
        return u == 0 ? 0.0 : 1.0 - (double) intersection / u;
    }

    /** Counts of both, as over the union of their positions. */
    ZeroOverlap plus(ZeroOverlap o, String newName) {
        return new ZeroOverlap(newName, new long[0], size + o.size, zerosA + o.zerosA, zerosB + o.zerosB,
                intersection + o.intersection);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The shape written as {@code 4096x11008}. */
    public String shapeText() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : "x").append(shape[i]);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ZeroOverlap z && name.equals(z.name) && Arrays.equals(shape, z.shape) && size == z.size
                && zerosA == z.zerosA && zerosB == z.zerosB && intersection == z.intersection;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), size, zerosA, zerosB, intersection);
    }
}
