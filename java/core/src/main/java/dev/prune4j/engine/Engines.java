package dev.prune4j.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Picks an engine by name: {@code cpu}, {@code cuda} or {@code auto}. Engines come from
 * {@link EngineProvider}s found by {@link ServiceLoader}: prune4j-core provides {@code cpu}, the
 * prune4j-cuda jar {@code cuda} (add it to the class or module path for the GPU). {@code auto}
 * takes the provider of highest priority that starts here and otherwise logs one line saying why
 * it uses the CPU engine (the pattern of Lucene's {@code VectorizationProvider}).
 */
public final class Engines {
    private static final Logger LOG = Logger.getLogger(Engines.class.getName());
    /** Names that are always accepted; a provider's engine may be missing from the class path. */
    private static final List<String> WELL_KNOWN = List.of("cpu", "cuda", "auto");

    private Engines() {}

    /** The names {@link #create} accepts: {@code cpu}, {@code cuda}, {@code auto} and any other provider's. */
    public static Set<String> names() {
        Set<String> names = new LinkedHashSet<>(WELL_KNOWN);
        for (EngineProvider p : providers()) {
            names.add(p.name());
        }
        return names;
    }

    /** The lower-case name, or the error {@link #create} would give for an unknown one. */
    public static String checkName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!names().contains(n)) {
            throw new IllegalArgumentException("unknown engine '" + name + "' (expected "
                    + String.join(", ", names()) + ")");
        }
        return n;
    }

    /**
     * Creates the engine named {@code name}.
     *
     * @throws EngineUnavailableException when that engine cannot run here, or its jar is not on the class path
     * @throws IllegalArgumentException   for an unknown name
     */
    public static Engine create(String name) {
        String n = checkName(name);
        if (!n.equals("auto")) {
            return provider(n).orElseThrow(() -> new EngineUnavailableException(missing(n))).create();
        }
        List<String> reasons = new ArrayList<>();
        for (EngineProvider p : byPriority()) {
            if (p.priority() <= 0) {
                continue;
            }
            try {
                return p.create();
            } catch (EngineUnavailableException e) {
                reasons.add(p.name() + " is not usable: " + e.getMessage());
            }
        }
        if (provider("cuda").isEmpty()) {
            reasons.add(missing("cuda"));
        }
        Engine cpu = create("cpu");
        LOG.info("engine auto: using " + cpu.description() + (reasons.isEmpty() ? "" : "; " + String.join("; ", reasons)));
        return cpu;
    }

    private static String missing(String name) {
        return name.equals("cuda")
                ? "the CUDA engine is not on the class path (add the dev.prune4j:prune4j-cuda jar)"
                : "no engine provider named '" + name + "' is on the class path";
    }

    private static Optional<EngineProvider> provider(String name) {
        return providers().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    private static List<EngineProvider> byPriority() {
        List<EngineProvider> all = new ArrayList<>(providers());
        all.sort(Comparator.comparingInt(EngineProvider::priority).reversed());
        return all;
    }

    private static List<EngineProvider> providers() {
        List<EngineProvider> out = new ArrayList<>();
        ServiceLoader.load(EngineProvider.class, Engines.class.getClassLoader()).forEach(out::add);
        return out;
    }
}
