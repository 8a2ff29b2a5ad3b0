package dev.prune4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The temporary files and folders prune4j is writing right now, deleted by one shutdown hook when
 * the JVM ends before they are moved into place or cleaned up: SIGINT (Ctrl-C) and SIGTERM run
 * shutdown hooks, and a half-written output of several gigabytes must not outlive the process.
 * {@link AtomicFiles} registers every temporary it creates and forgets it once moved or deleted.
 * (SIGKILL runs no hook; {@link StaleTemporaries} finds what such a run left behind.)
 */
public final class TemporaryFiles {
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();
    private static final Object HOOK_LOCK = new Object();
    private static boolean hookInstalled;

    private TemporaryFiles() {}

    /** Deletes {@code path} (recursively) if the JVM shuts down while it is still registered. */
    public static void register(Path path) {
        installHook();
        LIVE.add(path.toAbsolutePath());
    }

    /** {@code path} was moved into place or deleted: nothing to clean up any more. */
    public static void forget(Path path) {
        LIVE.remove(path.toAbsolutePath());
    }

    /** The temporaries registered now (for tests and diagnostics). */
    public static List<Path> live() {
        return List.copyOf(LIVE);
    }

    private static void installHook() {
        synchronized (HOOK_LOCK) {
            if (!hookInstalled) {
                Runtime.getRuntime().addShutdownHook(new Thread(TemporaryFiles::deleteAll, "prune4j-temporary-files"));
                hookInstalled = true;
            }
        }
    }

    /**
     * Deletes everything registered. The thread that writes may still be running (hooks run beside
     * it), so a folder that gains an entry while it is deleted is deleted again, a few times.
     */
    static void deleteAll() {
        for (Path p : new ArrayList<>(LIVE)) {
            for (int attempt = 0; attempt < 5 && Files.exists(p, LinkOption.NOFOLLOW_LINKS); attempt++) {
                try {
                    AtomicFiles.deleteRecursively(p);
                } catch (IOException | RuntimeException e) {
                    // Retried; the JVM is ending and there is no one left to tell.
                }
            }
            LIVE.remove(p);
        }
    }
}
