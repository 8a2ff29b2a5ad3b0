package dev.prune4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one way prune4j writes a file: into a temporary file beside the target
 * ({@code .NAME.pPID-RANDOM.tmp}), moved into place only when complete, so a failure or a crash never
 * leaves a half-written file under the target's name. Unlike {@link Files#createTempFile}, which
 * makes owner-only files, these get the default permissions (the umask's), so an output moved into
 * place is as readable as one copied by hand. Every temporary is registered with
 * {@link TemporaryFiles}, so SIGINT or SIGTERM removes it; the process id in its name lets
 * {@link StaleTemporaries} tell the leftovers of a killed run from the work of a live one.
 * Folders: {@link OutputFolder}.
 *
 * <pre>{@code
 * AtomicFiles.writeString(dir.resolve("results.md"), markdown);                       // replaces
 * AtomicFiles.write(dir.resolve("plot.png"), Existing.REFUSE, out -> ImageIO.write(image, "png", out));
 * }</pre>
 */
public final class AtomicFiles {
    private static final String SUFFIX = ".tmp";

    private AtomicFiles() {}

    /** What a write does when its target already exists. */
    public enum Existing {
        /** Fail, before any work ({@link #checkTarget}) and again at the move, which never replaces. */
        REFUSE,
        /** Replace a regular file; anything else (a folder, a device, a link) is still refused. */
        REPLACE
    }

    /** Writes the bytes a {@link Writer} produces. */
    @FunctionalInterface
    public interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Fills a file given by its path (for APIs that write to a path themselves). */
    @FunctionalInterface
    public interface PathWriter {
        void writeTo(Path file) throws IOException;
    }

    /** {@code text} as UTF-8 into {@code target}, replacing a regular file there. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, Existing.REPLACE, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** What {@code writer} writes into {@code target}, replacing a regular file there. */
    public static void write(Path target, Writer writer) throws IOException {
        write(target, Existing.REPLACE, writer);
    }

    /** What {@code writer} writes into {@code target}; {@code existing} says whether a file there may be replaced. */
    public static void write(Path target, Existing existing, Writer writer) throws IOException {
        writeWith(target, existing, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.writeTo(out);
            }
        });
    }

    /** What {@code writer} writes into a temporary path, then moved to {@code target} (replacing a regular file). */
    public static void writeWith(Path target, PathWriter writer) throws IOException {
        writeWith(target, Existing.REPLACE, writer);
    }

    /** What {@code writer} writes into a temporary path, then moved to {@code target} as {@code existing} allows. */
    public static void writeWith(Path target, Existing existing, PathWriter writer) throws IOException {
        checkTarget(target, existing);
        Path tmp = createFileBeside(target);
        try {
            writer.writeTo(tmp);
            moveIntoPlace(tmp, target, existing);
        } catch (FileSystemException e) {
            throw e;
        } catch (IOException e) {
            // "No space left on device" and the like name no file: this one is the target.
            throw new FileSystemException(target.toString(), null, IoErrors.describe(e));
        } finally {
            Files.deleteIfExists(tmp);
            TemporaryFiles.forget(tmp);
        }
    }

    /**
     * Checks, before any work, that a file can later be moved to {@code target}: its folder exists,
     * and nothing is there, or (with {@link Existing#REPLACE}) a regular file. A symbolic link, even
     * a dangling one, is refused either way: the move would replace the link, not what it names.
     */
    public static void checkTarget(Path target, Existing existing) throws IOException {
        Path dir = parentOf(target);
        if (!Files.isDirectory(dir)) {
            throw Files.exists(dir) ? new NotDirectoryException(dir.toString())
                    : new NoSuchFileException(dir.toString(), null, "the folder to write " + target + " into does not exist");
        }
        if (Files.isSymbolicLink(target)) {
            throw new FileSystemException(target.toString(), null, "is a symbolic link (to "
                    + Files.readSymbolicLink(target) + "); name the file itself");
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString(), null,
                    Files.isDirectory(target) ? "is a folder" : "exists and is not a regular file");
        }
        if (existing == Existing.REFUSE) {
            throw new FileAlreadyExistsException(target.toString(), null, "exists");
        }
    }

    /** A new empty file {@code .NAME.pPID-RANDOM.tmp} in the folder of {@code target}, removed if the JVM is stopped. */
    public static Path createFileBeside(Path target) throws IOException {
        Path dir = parentOf(target);
        while (true) {
            Path candidate = dir.resolve(tempName(target));
            TemporaryFiles.register(candidate);
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                TemporaryFiles.forget(candidate); // someone else's: try another name
            } catch (IOException | RuntimeException e) {
                TemporaryFiles.forget(candidate);
                throw e;
            }
        }
    }

    /** A new empty folder {@code .NAME.pPID-RANDOM.tmp} in the folder of {@code target}, removed if the JVM is stopped. */
    public static Path createDirectoryBeside(Path target) throws IOException {
        Path dir = parentOf(target);
        while (true) {
            Path candidate = dir.resolve(tempName(target));
            TemporaryFiles.register(candidate);
            try {
                return Files.createDirectory(candidate);
            } catch (FileAlreadyExistsException e) {
                TemporaryFiles.forget(candidate);
            } catch (IOException | RuntimeException e) {
                TemporaryFiles.forget(candidate);
                throw e;
            }
        }
    }

    private static Path parentOf(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null) {
            throw new FileSystemException(target.toString(), null, "cannot write to the root folder");
        }
        return dir;
    }

    /** {@code .NAME.} : what every temporary for {@code target} starts with. */
    static String tempPrefix(Path target) {
        return "." + target.getFileName() + ".";
    }

    static boolean isTempName(String fileName) {
        return fileName.startsWith(".") && fileName.endsWith(SUFFIX);
    }

    private static String tempName(Path target) {
        return tempPrefix(target) + "p" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + SUFFIX;
    }

    /** Renames {@code from} to {@code to}, atomically where the file system can, replacing a file there. */
    public static void moveIntoPlace(Path from, Path to) throws IOException {
        moveIntoPlace(from, to, Existing.REPLACE);
    }

    /**
     * Renames {@code from} to {@code to}. With {@link Existing#REFUSE} nothing there is ever
     * replaced, even if it appeared since {@link #checkTarget}: a file goes in by a hard link
     * (which fails when the name is taken) where the file system has them.
     */
    public static void moveIntoPlace(Path from, Path to, Existing existing) throws IOException {
        if (existing == Existing.REFUSE && Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createLink(to, from);
                Files.delete(from);
                TemporaryFiles.forget(from);
                return;
            } catch (UnsupportedOperationException | FileSystemException e) {
                if (e instanceof FileAlreadyExistsException) {
                    throw new FileAlreadyExistsException(to.toString(), null, "appeared while it was being written");
                }
                // No hard links here: check, then rename (a file appearing in between is replaced).
            }
        }
        if (existing == Existing.REFUSE && Files.exists(to, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(to.toString(), null, "appeared while it was being written");
        }
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        TemporaryFiles.forget(from);
    }

    /** Deletes {@code path} and, for a folder, everything under it (links are deleted, not followed); absent is fine. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            TemporaryFiles.forget(path);
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE; // gone meanwhile
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof NoSuchFileException)) {
                    throw exc;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
        TemporaryFiles.forget(path);
    }
}
