package dev.prune4j.cli;

import dev.prune4j.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes the plots: drawn in memory, written beside the target and moved into place ({@link AtomicFiles}). */
final class PngFiles {
    private PngFiles() {}

    static void write(BufferedImage image, Path png) throws IOException {
        Path dir = png.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("cannot write plot " + png + ": folder " + dir + " does not exist");
        }
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("cannot write plot " + png + ": no PNG writer in this Java runtime");
            }
        });
    }
}
