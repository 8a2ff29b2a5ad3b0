package dev.prune4j.cli;

import dev.prune4j.io.AtomicFiles;
import dev.prune4j.io.AtomicFiles.Existing;
import dev.prune4j.io.FreeSpace;
import dev.prune4j.io.OutputFolder;
import dev.prune4j.io.StaleTemporaries;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/**
 * The checks every command makes on its outputs before it starts working, so that nothing it could
 * only find at the end (an output that exists, a link, the current folder) costs minutes first, and
 * the leftovers of a killed run into the same place are named: with {@code --remove-stale} they are
 * deleted.
 */
final class Outputs {
    private static final Logger LOG = Logger.getLogger(Outputs.class.getName());

    private Outputs() {}

    /** A new output folder at {@code target} (see {@link OutputFolder#checkTarget}). */
    static void folder(Path target, boolean removeStale) throws IOException {
        OutputFolder.checkTarget(target);
        stale(target, removeStale);
    }

    /** A single output file at {@code target}; {@code force} lets it replace a regular file there. */
    static Existing file(Path target, boolean force, boolean removeStale) throws IOException {
        Existing existing = force ? Existing.REPLACE : Existing.REFUSE;
        AtomicFiles.checkTarget(target, existing);
        stale(target, removeStale);
        return existing;
    }

    private static void stale(Path target, boolean remove) throws IOException {
        List<Path> stale = StaleTemporaries.of(target);
        for (Path p : stale) {
            String size = FreeSpace.human(StaleTemporaries.sizeOf(p));
            if (remove) {
                AtomicFiles.deleteRecursively(p);
                LOG.info("removed " + p + " (" + size + "), left by an earlier run that was stopped");
            } else {
                LOG.warning(p + " (" + size + ") was left by an earlier run that was stopped; --remove-stale deletes it");
            }
        }
    }
}
