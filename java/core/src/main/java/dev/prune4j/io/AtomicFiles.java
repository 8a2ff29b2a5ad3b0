package dev.prune4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one way prune4j writes a file: into a temporary file beside the target
 * ({@code .NAME.RANDOM.tmp}), moved into place only when complete, so a failure or a crash never
 * leaves a half-written file under the target's name. Unlike {@link Files#createTempFile}, which
 * makes owner-only files, these get the default permissions (the umask's), so an output moved into
 * place is as readable as one copied by hand. Folders: {@link OutputFolder}.
 *
 * <pre>{@code
 * AtomicFiles.writeString(dir.resolve("results.md"), markdown);
 * AtomicFiles.write(dir.resolve("plot.png"), out -> ImageIO.write(image, "png", out));
 * }</pre>
 */
public final class AtomicFiles {
    private AtomicFiles() {}

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

    /** {@code text} as UTF-8 into {@code target}, replacing it atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** What {@code writer} writes into {@code target}, replacing it atomically. */
    public static void write(Path target, Writer writer) throws IOException {
        writeWith(target, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.writeTo(out);
            }
        });
    }

    /** What {@code writer} writes into a temporary path, then moved to {@code target} (replacing it). */
    public static void writeWith(Path target, PathWriter writer) throws IOException {
        Path tmp = createFileBeside(target);
        try {
            writer.writeTo(tmp);
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A new empty file {@code .NAME.RANDOM.tmp} in the folder of {@code target}. */
    public static Path createFileBeside(Path target) throws IOException {
        Path dir = parentOf(target);
        while (true) {
            try {
                return Files.createFile(dir.resolve(tempName(target)));
            } catch (FileAlreadyExistsException e) {
                // try another name
            }
        }
    }

    /** A new empty folder {@code .NAME.RANDOM.tmp} in the folder of {@code target}. */
    public static Path createDirectoryBeside(Path target) throws IOException {
        Path dir = parentOf(target);
        while (true) {
            try {
                return Files.createDirectory(dir.resolve(tempName(target)));
            } catch (FileAlreadyExistsException e) {
                // try another name
            }
        }
    }

    private static Path parentOf(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null) {
            throw new IOException(target + ": cannot write to the root folder");
        }
        return dir;
    }

    private static String tempName(Path target) {
        return "." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
    }

    /** Renames {@code from} to {@code to}, atomically where the file system can, replacing a file there. */
    public static void moveIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes {@code path} and, for a folder, everything under it (links are deleted, not followed); absent is fine. */
    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
