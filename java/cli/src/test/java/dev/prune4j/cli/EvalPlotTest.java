package dev.prune4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.model.eval.EvalResult;
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
