package dev.prune4j.cli;

import dev.prune4j.io.AtomicFiles;
import dev.prune4j.io.AtomicFiles.Existing;
import dev.prune4j.io.IoErrors;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Writes the plots: encoded in memory, then written beside the target and moved into place
 * ({@link AtomicFiles}). Encoding first keeps ImageIO away from the disk: its own error for a failed
 * write is "I/O error writing PNG file!", which names neither the file nor the cause.
 */
final class PngFiles {
    private PngFiles() {}

    static void write(BufferedImage image, Path png, Existing existing) throws IOException {
        Path dir = png.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new FileSystemException(png.toString(), null, "cannot write the plot: folder " + dir + " does not exist");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", bytes)) {
            throw new FileSystemException(png.toString(), null, "cannot write the plot: no PNG writer in this Java runtime");
        }
        try {
            AtomicFiles.write(png, existing, out -> bytes.writeTo(out));
        } catch (FileSystemException e) {
            throw e;
        } catch (IOException e) {
            throw new FileSystemException(png.toString(), null, "cannot write the plot: " + IoErrors.describe(e));
        }
    }
}
