package dev.prune4j.bench.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import dev.prune4j.io.AtomicFiles;

/**
 * Draws the speedup plots as PNGs. The only class of the report that touches {@code java.awt} and
 * {@code javax.imageio}: {@link ReportWriter} loads it only when the runtime has
 * {@code java.desktop}, since even verifying a class whose code passes a {@code BufferedImage} to
 * {@code ImageIO} loads AWT classes, and the GPU bundle's runtime has none.
 */
final class PlotWriter {
    private PlotWriter() {}

    /** {@code planned}: device, layer, file name; returns the files written. */
    static List<Path> write(SpeedupRows rows, List<GemmResult> gemm, List<String[]> planned, Path dir) throws IOException {
        List<Path> written = new ArrayList<>();
        for (String[] p : planned) {
            BufferedImage image = SpeedupPlot.render("Speedup of 2:4 over dense: " + p[1] + " projections",
                    MarkdownReport.deviceTitle(p[0]), SpeedupPlot.series(rows, gemm, p[0], p[1]));
            Path png = dir.resolve(p[2]);
            AtomicFiles.write(png, out -> {
                if (!ImageIO.write(image, "png", out)) {
                    throw new IOException("no PNG writer available in this Java runtime");
                }
            });
            written.add(png);
        }
        return written;
    }
}
