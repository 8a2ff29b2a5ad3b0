package dev.prune4j.method;

import dev.prune4j.owl.OwlPruner;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.MagnitudePruner;
import dev.prune4j.refine.MaskRefiner;
import dev.prune4j.refine.RefinedPruner;
import dev.prune4j.refine.SparseSwaps;
import dev.prune4j.ria.RiaPruner;
import dev.prune4j.sparsegpt.SparseGpt;
import dev.prune4j.sparsegpt.SparseGptPruner;
import dev.prune4j.wanda.WandaPruner;
import java.util.List;
import java.util.Locale;

/**
 * The pruning methods by name, as {@code prune --method} and {@code eval --methods} spell them.
 * A new {@link LayerPruner} is added here (and nowhere else) to be reachable by name.
 *
 * <p>A name is {@code [owl-]BASE[+REFINER]}: a base method ({@link #BASES}), optionally with its
 * mask refined afterwards ({@code wanda+sparseswaps}, see {@link #REFINERS}), optionally inside
 * OWL's layerwise sparsities ({@code owl-wanda}, {@code owl-sparsegpt+sparseswaps}). OWL wraps
 * the refined method, so every decoder layer is pruned to its OWL sparsity and then refined.
 */
public final class Methods {
    /** The base methods. */
    public static final List<String> BASES = List.of("magnitude", "wanda", "sparsegpt", "ria");

    /** The mask refiners, for {@code BASE+REFINER} names (and a later {@code --refine NAME}). */
    public static final List<String> REFINERS = List.of("sparseswaps");

    /**
     * The names help texts list, in this order; {@link #named} accepts these and every other
     * {@code [owl-]BASE[+REFINER]} combination.
     */
    public static final List<String> NAMES = List.of("magnitude", "wanda", "sparsegpt", "ria", "owl-magnitude",
            "owl-wanda", "owl-sparsegpt");

    private Methods() {}

    /** The method called {@code name} with {@code options} (each method takes the options that concern it). */
    public static LayerPruner<?> named(String name, MethodOptions options) {
        String n = name.toLowerCase(Locale.ROOT).trim();
        boolean owl = n.startsWith("owl-");
        String rest = owl ? n.substring(4) : n;
        int plus = rest.indexOf('+');
        String base = plus < 0 ? rest : rest.substring(0, plus);
        LayerPruner<?> method = switch (base) {
            case "magnitude" -> new MagnitudePruner();
            case "wanda" -> new WandaPruner();
            case "sparsegpt" -> new SparseGptPruner(options.sparseGpt());
            case "ria" -> new RiaPruner(options.ria());
            default -> throw new IllegalArgumentException("unknown method '" + name + "' (expected "
                    + String.join(", ", NAMES) + ", or [owl-]METHOD+REFINER with a refiner of "
                    + String.join(", ", REFINERS) + ")");
        };
        if (plus >= 0) {
            method = refined(method, refiner(rest.substring(plus + 1), options));
        }
        return owl ? owl(method, options) : method;
    }

    /** The method called {@code name}; {@code sparseGpt} configures SparseGPT (ignored by the others). */
    public static LayerPruner<?> named(String name, SparseGpt.Options sparseGpt) {
        return named(name, MethodOptions.DEFAULT.withSparseGpt(sparseGpt));
    }

    /** The method called {@code name} with its default options. */
    public static LayerPruner<?> named(String name) {
        return named(name, MethodOptions.DEFAULT);
    }

    /** The mask refiner called {@code name} ({@link #REFINERS}) with {@code options}. */
    public static MaskRefiner refiner(String name, MethodOptions options) {
        return switch (name.toLowerCase(Locale.ROOT).trim()) {
            case "sparseswaps" -> new SparseSwaps(options.swaps());
            default -> throw new IllegalArgumentException("unknown refiner '" + name + "' (expected "
                    + String.join(", ", REFINERS) + ")");
        };
    }

    /** The mask refiner called {@code name} with its default options. */
    public static MaskRefiner refiner(String name) {
        return refiner(name, MethodOptions.DEFAULT);
    }

    /**
     * {@code method} followed by {@code refiner} (what {@code --refine NAME} does). For an OWL
     * method the refinement goes inside OWL, as {@link #named} builds {@code owl-BASE+REFINER}.
     */
    public static LayerPruner<?> refined(LayerPruner<?> method, MaskRefiner refiner) {
        if (method instanceof OwlPruner<?> owl) {
            if (owl.allocated()) {
                throw new IllegalArgumentException(owl.name() + " is already allocated; refine before allocating");
            }
            return OwlPruner.around(RefinedPruner.of(owl.base(), refiner), owl.options());
        }
        return RefinedPruner.of(method, refiner);
    }

    private static LayerPruner<?> owl(LayerPruner<?> method, MethodOptions options) {
        return OwlPruner.around(method, options.owl());
    }
}
