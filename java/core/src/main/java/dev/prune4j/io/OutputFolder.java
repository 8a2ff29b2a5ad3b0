package dev.prune4j.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An output folder built in a temporary folder beside its target and renamed into place only when
 * complete ({@link #commit()}). Closing without a commit deletes everything written, so a failed run
 * leaves nothing behind. A target that exists and is not an empty folder is refused up front.
 *
 * <pre>{@code
 * try (OutputFolder out = OutputFolder.create(target)) {
 *     Files.writeString(out.path().resolve("config.json"), json);
 *     out.commit();
 * }
 * }</pre>
 */
public final class OutputFolder implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private boolean committed;

    private OutputFolder(Path target, Path temp) {
        this.target = target;
        this.temp = temp;
    }

    public static OutputFolder create(Path target) throws IOException {
        refuseNonEmpty(target);
        Path parent = target.toAbsolutePath().getParent();
        if (parent == null) {
            throw new IOException(target + ": cannot write to the root folder");
        }
        // Like mkdir -p: missing parent folders are made (and stay, as they would after mkdir -p).
        Files.createDirectories(parent);
        return new OutputFolder(target, AtomicFiles.createDirectoryBeside(target));
    }

    /** The folder to write into (temporary until {@link #commit()}). */
    public Path path() {
        return temp;
    }

    /** The final location. */
    public Path target() {
        return target;
    }

    /** Moves the finished folder into place. */
    public void commit() throws IOException {
        refuseNonEmpty(target); // someone may have filled it meanwhile
        AtomicFiles.moveIntoPlace(temp, target);
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (!committed) {
            AtomicFiles.deleteRecursively(temp);
        }
    }

    static void refuseNonEmpty(Path target) throws IOException {
        if (!Files.exists(target)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "output exists and is not a folder");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
            if (entries.iterator().hasNext()) {
                throw new FileAlreadyExistsException(target.toString(), null, "output folder exists and is not empty");
            }
        }
    }
}
