package dev.prune4j.engine;

import java.util.Locale;
import java.util.logging.Logger;

/**
 * Picks an engine: {@code cpu}, {@code cuda} or {@code auto}. {@code auto} takes the CUDA engine when
 * a device is usable and otherwise logs one line saying why it fell back to the CPU engine
 * (the pattern of Lucene's {@code VectorizationProvider}).
 */
public final class Engines {
    private static final Logger LOG = Logger.getLogger(Engines.class.getName());

    /** The names {@link #create} accepts. */
    public static final java.util.List<String> KINDS = java.util.List.of("cpu", "cuda", "auto");

    private Engines() {}

    /** Throws the error {@link #create} would give for an unknown name, without creating anything. */
    public static String checkKind(String kind) {
        if (!KINDS.contains(kind.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("unknown engine '" + kind + "' (expected cpu, cuda or auto)");
        }
        return kind.toLowerCase(Locale.ROOT);
    }

    /**
     * Creates the engine named {@code kind}.
     *
     * @throws EngineUnavailableException when {@code cuda} is asked for and cannot run here
     * @throws IllegalArgumentException for an unknown name
     */
    public static Engine create(String kind) {
        return switch (checkKind(kind)) {
            case "cpu" -> new CpuEngine();
            case "cuda" -> CudaEngine.create();
            case "auto" -> {
                try {
                    yield CudaEngine.create();
                } catch (EngineUnavailableException | LinkageError e) {
                    LOG.info("engine auto: using the CPU engine, CUDA is not usable: " + e.getMessage());
                    yield new CpuEngine();
                }
            }
            default -> throw new AssertionError(kind);
        };
    }
}
