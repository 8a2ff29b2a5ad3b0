package dev.prune4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.model.eval.EvalResult;
import dev.prune4j.model.eval.lm.PerplexityResult;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quality plot: one colour per method, written as a PNG. */
class EvalPlotTest {
    private static final int MAGNITUDE_BLUE = 0x4C78A8, WANDA_GREEN = 0x54A24B, SPARSEGPT_ORANGE = 0xF58518;

    @Test
    void eachMethodGetsItsOwnColourAndThePngIsWrittenInPlace(@TempDir Path tmp) throws Exception {
        List<EvalResult> results = new ArrayList<>();
        double[] sparsities = {0.1, 0.5, 0.9};
        for (double s : sparsities) {
            results.add(new EvalResult("magnitude", "tensor", s, s, 1 - s, 1 - s, 0.3, 1));
            results.add(new EvalResult("magnitude", "global", s, s, 1 - s * 0.9, 1 - s, 0.3, 1));
            results.add(new EvalResult("wanda", "row", s, s, 1 - s / 2, 1 - s / 2, 0.3, 1));
        }
        results.add(new EvalResult("magnitude", "2:4", 0.5, 0.5, 0.6, 0.4, 0.3, 1));
        results.add(new EvalResult("sparsegpt", "2:4", 0.5, 0.5, 0.8, 0.5, 0.3, 1));

        BufferedImage img = EvalPlot.draw(results, "test");
        assertTrue(count(img, MAGNITUDE_BLUE) > 100);
        assertTrue(count(img, WANDA_GREEN) > 100);
        assertTrue(count(img, SPARSEGPT_ORANGE) > 50);

        Path png = tmp.resolve("quality.png");
        EvalPlot.write(results, "test", png);
        BufferedImage read = ImageIO.read(png.toFile());
        assertEquals(img.getWidth(), read.getWidth());
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void perplexityIsDrawnOnALogAxisWithTheDenseModelAsAReferenceLine(@TempDir Path tmp) throws Exception {
        List<PerplexityResult> results = new ArrayList<>();
        results.add(new PerplexityResult("dense", "none", 0, 0, 15, 2.7, 0, 1, 1));
        double[] sparsities = {0.1, 0.5, 0.9, 0.99};
        double[] magnitude = {16, 300, 5000, 60000};
        double[] wanda = {15.5, 40, 2000, 30000};
        for (int i = 0; i < sparsities.length; i++) {
            results.add(new PerplexityResult("magnitude", "tensor", sparsities[i], sparsities[i], magnitude[i], 0, 1, 1, 1));
            results.add(new PerplexityResult("wanda", "row", sparsities[i], sparsities[i], wanda[i], 0, 1, 1, 1));
        }
        results.add(new PerplexityResult("wanda", "2:4", 0.5, 0.5, 80, 0, 1, 1, 1));
        BufferedImage img = EvalPlot.drawPerplexity(results, "test");
        assertTrue(count(img, MAGNITUDE_BLUE) > 100);
        assertTrue(count(img, WANDA_GREEN) > 100);
        // Log axis: magnitude's 300 at 50 % is drawn above Wanda's 40, both well below 5000 at 90 %.
        int x50 = columnOf(img, 0.5, sparsities);
        assertTrue(topmost(img, MAGNITUDE_BLUE, x50) < topmost(img, WANDA_GREEN, x50));
        Path png = tmp.resolve("perplexity.png");
        EvalPlot.writePerplexity(results, "test", png);
        assertEquals(img.getWidth(), ImageIO.read(png.toFile()).getWidth());
    }

    /** The x pixel of a sparsity tick in the single full-width panel (as EvalPlot places ticks). */
    private static int columnOf(BufferedImage img, double sparsity, double[] ticks) {
        int index = java.util.Arrays.binarySearch(ticks, sparsity);
        int x0 = 60, width = img.getWidth() - 120;
        return x0 + 30 + index * (width - 60) / (ticks.length - 1);
    }

    /** The highest row of a colour within 3 px of column x. */
    private static int topmost(BufferedImage img, int rgb, int x) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int dx = -3; dx <= 3; dx++) {
                if ((img.getRGB(x + dx, y) & 0xFFFFFF) == rgb) {
                    return y;
                }
            }
        }
        return Integer.MAX_VALUE;
    }

    private static int count(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                n += (img.getRGB(x, y) & 0xFFFFFF) == rgb ? 1 : 0;
            }
        }
        return n;
    }
}
