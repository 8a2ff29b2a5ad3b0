package dev.prune4j.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The temporaries ({@code .NAME.pPID-RANDOM.tmp}) that earlier runs writing {@code NAME} left in
 * its folder: a run killed with SIGKILL, or a machine that lost power, runs no shutdown hook
 * ({@link TemporaryFiles}), and its partial output (gigabytes for a large model) stays. A
 * temporary is stale when the process named in it is gone; one of a live process (another run
 * writing the same target right now) is never reported, and a name without a process id (older
 * prune4j versions) counts as stale.
 */
public final class StaleTemporaries {
    private StaleTemporaries() {}

    /** The stale temporaries of {@code target}, sorted by name; none when its folder does not exist. */
    public static List<Path> of(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        List<Path> stale = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir) || absolute.getFileName() == null) {
            return stale;
        }
        String prefix = AtomicFiles.tempPrefix(absolute);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!name.startsWith(prefix) || !AtomicFiles.isTempName(name)) {
                    continue;
                }
                OptionalLong pid = ownerOf(name.substring(prefix.length(), name.length() - ".tmp".length()));
                boolean alive = pid.isPresent() && ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false);
                if (!alive) {
                    stale.add(p);
                }
            }
        }
        stale.sort(null);
        return stale;
    }

    /** The process id in {@code pPID-RANDOM}, or empty for another form. */
    static OptionalLong ownerOf(String middle) {
        int dash = middle.indexOf('-');
        if (!middle.startsWith("p") || dash < 2) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(middle.substring(1, dash)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Bytes under {@code path} (a file or a folder, links not followed), for messages. */
    public static long sizeOf(Path path) {
        try (var files = Files.walk(path)) {
            return files.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
