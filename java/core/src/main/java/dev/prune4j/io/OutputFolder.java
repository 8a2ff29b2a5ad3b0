package dev.prune4j.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * An output folder built in a temporary folder beside its target and renamed into place only when
 * complete ({@link #commit()}). Closing without a commit deletes everything written, so a failed run
 * leaves nothing behind; SIGINT and SIGTERM delete it too ({@link TemporaryFiles}).
 *
 * <p>Every target the final rename would refuse is refused up front, before any work
 * ({@link #checkTarget}): a target that exists and is not an empty folder, a symbolic link (even a
 * dangling one), the current folder or one holding it ({@code --output .}: its temporary sibling
 * would land inside it, and the rename would pull the folder away from under the shell), and a
 * mount point (the temporary folder beside it is on another file system, so no rename can move it).
 *
 * <pre>{@code
 * try (OutputFolder out = OutputFolder.create(target)) {
 *     out.requireSpace(bytes, files);
 *     Files.writeString(out.path().resolve("config.json"), json);
 *     out.commit();
 * }
 * }</pre>
 */
public final class OutputFolder implements AutoCloseable {
    private final Path target;
    private final Path resolved;
    private final Path temp;
    private boolean committed;

    private OutputFolder(Path target, Path resolved, Path temp) {
        this.target = target;
        this.resolved = resolved;
        this.temp = temp;
    }

    public static OutputFolder create(Path target) throws IOException {
        Path resolved = checkTarget(target);
        // Like mkdir -p: missing parent folders are made (and stay, as they would after mkdir -p).
        Files.createDirectories(resolved.getParent());
        return new OutputFolder(target, resolved, AtomicFiles.createDirectoryBeside(resolved));
    }

    /**
     * Checks that {@code target} can receive an output folder (see the class comment) and returns
     * the absolute path the folder will be renamed to.
     */
    public static Path checkTarget(Path target) throws IOException {
        if (Files.isSymbolicLink(target)) {
            throw new FileSystemException(target.toString(), null, "is a symbolic link (to "
                    + Files.readSymbolicLink(target) + "); give the folder itself or a new name");
        }
        String name = target.getFileName() == null ? "" : target.getFileName().toString();
        Path resolved;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            refuseNonEmpty(target);
            resolved = target.toRealPath();
            Path cwd = Path.of("").toRealPath();
            if (cwd.startsWith(resolved)) {
                throw new FileSystemException(target.toString(), null, "is the current folder or holds it; the output"
                        + " is renamed into place when complete, so give a new folder name instead");
            }
            Path parent = resolved.getParent();
            if (parent == null) {
                throw new FileSystemException(target.toString(), null, "is the root folder");
            }
            if (!Files.getFileStore(resolved).equals(Files.getFileStore(parent))) {
                throw new FileSystemException(target.toString(), null, "is a mount point; the output is built beside"
                        + " it and renamed into place, so give a new folder inside it");
            }
        } else {
            if (name.isEmpty() || name.equals(".") || name.equals("..")) {
                throw new FileSystemException(target.toString(), null, "names no folder");
            }
            resolved = target.toAbsolutePath();
            if (resolved.getParent() == null) {
                throw new FileSystemException(target.toString(), null, "cannot write to the root folder");
            }
        }
        return resolved;
    }

    /** The folder to write into (temporary until {@link #commit()}). */
    public Path path() {
        return temp;
    }

    /** The final location, as given. */
    public Path target() {
        return target;
    }

    /** Fails with the numbers unless the file system can hold {@code bytes} more in {@code files} files. */
    public void requireSpace(long bytes, int files) throws IOException {
        FreeSpace.require(temp, bytes, files, target);
    }

    /** Moves the finished folder into place. */
    public void commit() throws IOException {
        refuseNonEmpty(resolved); // someone may have filled it meanwhile
        AtomicFiles.moveIntoPlace(temp, resolved);
        committed = true;
    }

    @Override
    public void close() throws IOException {
        if (!committed) {
            AtomicFiles.deleteRecursively(temp);
        }
    }

    static void refuseNonEmpty(Path target) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null,
                    Files.isSymbolicLink(target) ? "output is a symbolic link" : "output exists and is not a folder");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(target)) {
            if (entries.iterator().hasNext()) {
                throw new FileAlreadyExistsException(target.toString(), null, "output folder exists and is not empty");
            }
        }
    }
}
