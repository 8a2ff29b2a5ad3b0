package dev.prune4j.safetensors;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Temporary files and folders beside an output, moved into place when complete. Unlike
 * {@link Files#createTempFile}, which makes owner-only files, these get the default permissions
 * (the umask's), so a moved-into-place checkpoint is as readable as one copied by hand.
 */
final class TempPaths {
    private TempPaths() {
    }

    /** A new empty file {@code .NAME.RANDOM.tmp} in the folder of {@code target}. */
    static Path createFileBeside(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        while (true) {
            try {
                return Files.createFile(dir.resolve(tempName(target)));
            } catch (FileAlreadyExistsException e) {
                // try another name
            }
        }
    }

    /** A new empty folder {@code .NAME.RANDOM.tmp} in the folder of {@code target}. */
    static Path createDirectoryBeside(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        while (true) {
            try {
                return Files.createDirectory(dir.resolve(tempName(target)));
            } catch (FileAlreadyExistsException e) {
                // try another name
            }
        }
    }

    private static String tempName(Path target) {
        return "." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp";
    }

    /** Renames {@code from} to {@code to}, atomically where the file system can. */
    static void moveIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes {@code path} and, for a folder, everything under it; absent is fine. */
    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
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
