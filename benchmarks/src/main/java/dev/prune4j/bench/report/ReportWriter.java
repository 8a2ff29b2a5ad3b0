package dev.prune4j.bench.report;

import dev.prune4j.bench.BenchShapes;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Writes {@code report.md} and the speedup plots ({@code speedup-DEVICE-LAYER.png}, one per device and
 * projection that has a speedup) into a folder. Each file is written to a temporary file beside it
 * and moved into place; the inputs are only read.
 */
public final class ReportWriter {
    public static final String REPORT = "report.md";

    private ReportWriter() {}

    /** Writes the report of {@code results} into {@code dir} (created if needed); returns the files written. */
    public static List<Path> write(BenchResults results, List<String> notes, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        List<String> plots = new ArrayList<>();
        SpeedupRows rows = new SpeedupRows(results.linear());
        for (String device : rows.devices()) {
            for (String layer : BenchShapes.LAYERS) {
                List<SpeedupPlot.Series> series = SpeedupPlot.series(rows, device, layer);
                if (series.isEmpty()) {
                    continue;
                }
                String name = SpeedupPlot.fileName(device, layer);
                BufferedImage image = SpeedupPlot.render("Speedup of 2:4 over dense: " + layer + " projections",
                        MarkdownReport.deviceTitle(device), series);
                Path png = dir.resolve(name);
                writePng(image, png);
                plots.add(name);
                written.add(png);
            }
        }
        Path md = dir.resolve(REPORT);
        writeAtomically(md, MarkdownReport.render(results, plots, notes).getBytes(StandardCharsets.UTF_8));
        written.add(0, md);
        return written;
    }

    private static void writePng(BufferedImage image, Path target) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("no PNG writer available in this Java runtime");
            }
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes {@code bytes} to a temporary file next to {@code target}, then moves it into place. */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            // Temporary files are private to their owner; a report is for everyone who can read the folder.
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its defaults
        }
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
