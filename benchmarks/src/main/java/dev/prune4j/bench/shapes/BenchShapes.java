package dev.prune4j.bench.shapes;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The projection shapes of the ARCHITECTURE.md "Benchmark shapes" table ({@code out x in}), the
 * token counts and dtypes of the dense vs 2:4 layer benchmarks. Each shape belongs to one model, so a
 * benchmark parameter {@code shape=4096x11008} is enough to put its result in the right report row.
 */
public final class BenchShapes {
    /** One row of a model's table: a projection group and its weight shape. */
    public record Projection(String model, String layer, int out, int in) {
        public String shape() {
            return out + "x" + in;
        }
    }

    /** Column order of the table, also the order of the report's rows and plots. */
    public static final List<String> LAYERS = List.of("q/o", "k/v", "gate/up", "down");

    public static final List<Projection> PROJECTIONS = List.of(
            new Projection("LLaMA-2-7B", "q/o", 4096, 4096),
            new Projection("LLaMA-2-7B", "k/v", 4096, 4096),
            new Projection("LLaMA-2-7B", "gate/up", 11008, 4096),
            new Projection("LLaMA-2-7B", "down", 4096, 11008),
            new Projection("LLaMA-2-13B / CodeLlama-13B", "q/o", 5120, 5120),
            new Projection("LLaMA-2-13B / CodeLlama-13B", "k/v", 5120, 5120),
            new Projection("LLaMA-2-13B / CodeLlama-13B", "gate/up", 13824, 5120),
            new Projection("LLaMA-2-13B / CodeLlama-13B", "down", 5120, 13824),
            new Projection("LLaMA-2-70B", "q/o", 8192, 8192),
            new Projection("LLaMA-2-70B", "k/v", 1024, 8192),
            new Projection("LLaMA-2-70B", "gate/up", 28672, 8192),
            new Projection("LLaMA-2-70B", "down", 8192, 28672));

    public static final List<Integer> TOKENS = List.of(1, 16, 128, 2048, 8192);
    public static final List<String> DTYPES = List.of("F16", "BF16");

    private BenchShapes() {}

    /** The models in table order. */
    public static List<String> models() {
        Set<String> models = new LinkedHashSet<>();
        PROJECTIONS.forEach(p -> models.add(p.model()));
        return List.copyOf(models);
    }

    /** The distinct shapes of {@code model} (7B's q/o and k/v share one), in table order. */
    public static List<String> shapesOf(String model) {
        Set<String> shapes = new LinkedHashSet<>();
        for (Projection p : PROJECTIONS) {
            if (p.model().equals(model)) {
                shapes.add(p.shape());
            }
        }
        return List.copyOf(shapes);
    }

    /** Every distinct shape of the table. */
    public static List<String> allShapes() {
        Set<String> shapes = new LinkedHashSet<>();
        PROJECTIONS.forEach(p -> shapes.add(p.shape()));
        return List.copyOf(shapes);
    }

    /** The table rows measured by a benchmark of {@code shape}: none for a shape not in the table. */
    public static List<Projection> projectionsOf(String shape) {
        List<Projection> out = new ArrayList<>();
        for (Projection p : PROJECTIONS) {
            if (p.shape().equals(shape)) {
                out.add(p);
            }
        }
        return out;
    }

    /** The model a shape belongs to, if it is in the table. */
    public static Optional<String> modelOf(String shape) {
        return projectionsOf(shape).stream().map(Projection::model).findFirst();
    }

    /** {@code "11008x4096"} as {@code {11008, 4096}}; anything else is an error naming the text. */
    public static int[] parse(String shape) {
        String[] dims = shape.split("x");
        try {
            if (dims.length == 2) {
                int out = Integer.parseInt(dims[0].trim());
                int in = Integer.parseInt(dims[1].trim());
                if (out > 0 && in > 0) {
                    return new int[] {out, in};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("shape '" + shape + "' is not OUTxIN with positive integers");
    }
}
