package dev.prune4j.method;

import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.MagnitudePruner;
import dev.prune4j.sparsegpt.SparseGpt;
import dev.prune4j.sparsegpt.SparseGptPruner;
import dev.prune4j.wanda.WandaPruner;
import java.util.List;
import java.util.Locale;

/**
 * The pruning methods by name, as {@code prune --method} and {@code eval --methods} spell them.
 * A new {@link LayerPruner} is added here (and nowhere else) to be reachable by name.
 */
public final class Methods {
    /** The names {@link #named} accepts, in the order help texts list them. */
    public static final List<String> NAMES = List.of("magnitude", "wanda", "sparsegpt");

    private Methods() {}

    /** The method called {@code name}; {@code sparseGpt} configures SparseGPT (ignored by the others). */
    public static LayerPruner<?> named(String name, SparseGpt.Options sparseGpt) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "magnitude" -> new MagnitudePruner();
            case "wanda" -> new WandaPruner();
            case "sparsegpt" -> new SparseGptPruner(sparseGpt);
            default -> throw new IllegalArgumentException("unknown method '" + name + "' (expected "
                    + String.join(", ", NAMES) + ")");
        };
    }

    /** The method called {@code name} with its default options. */
    public static LayerPruner<?> named(String name) {
        return named(name, SparseGpt.Options.DEFAULT);
    }
}
