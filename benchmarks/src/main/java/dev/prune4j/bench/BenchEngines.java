package dev.prune4j.bench;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineUnavailableException;
import dev.prune4j.engine.Engines;

/**
 * Engines for benchmark parameters. {@code auto} is refused: a benchmark result must say which
 * engine produced it. An engine that cannot run here (no GPU, no native library) fails the trial's
 * setup at once with a message that starts with {@link #UNAVAILABLE}, so JMH moves on to the next
 * trial; the suite runner ({@link BenchMain}) already leaves such engines out before launching.
 */
public final class BenchEngines {
    /** Start of the setup error of a trial whose engine is not usable here. */
    public static final String UNAVAILABLE = "engine unavailable, trial skipped: ";

    private BenchEngines() {}

    public static Engine create(String name) {
        if (!name.equals("cpu") && !name.equals("cuda")) {
            throw new IllegalArgumentException("benchmark engine must be cpu or cuda, got '" + name + "'");
        }
        try {
            return Engines.create(name);
        } catch (EngineUnavailableException | LinkageError e) {
            throw new IllegalStateException(UNAVAILABLE + name + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code name} can be created here; says why not on {@code reason} (may be null). */
    public static boolean usable(String name, StringBuilder reason) {
        try (Engine e = Engines.create(name)) {
            return e != null;
        } catch (EngineUnavailableException | LinkageError | IllegalArgumentException e) {
            if (reason != null) {
                reason.append(e.getMessage());
            }
            return false;
        }
    }
}
