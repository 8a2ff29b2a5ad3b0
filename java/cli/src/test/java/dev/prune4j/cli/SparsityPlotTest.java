package dev.prune4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.testing.PrunedTinyLlama;
import dev.prune4j.analysis.SparsityReport;
import dev.prune4j.io.AtomicFiles.Existing;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparsityPlotTest {
    @TempDir
    Path dir;

    @Test
    void writesADecodablePngOfTheExpectedSize() throws IOException {
        try (Arena arena = Arena.ofShared()) {
            List<Tensor> tensors = PrunedTinyLlama.build(arena, DType.BF16, 2, 64, 172, 3);
            SparsityReport report = SparsityReport.analyze(tensors, 0.02);
            Path png = dir.resolve("sparsity.png");
            SparsityPlot.write(report, SparsityPlot.Metric.SPARSITY, png);

            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image, "a PNG ImageIO can decode");
            BufferedImage expected = SparsityPlot.render(report, SparsityPlot.Metric.SPARSITY);
            assertEquals(SparsityPlot.WIDTH, image.getWidth());
            assertEquals(expected.getHeight(), image.getHeight());
            assertTrue(image.getHeight() > 22 * tensors.size(), "one row per tensor");
            try (var files = Files.list(dir)) {
                assertEquals(List.of(png), files.toList(), "no temporary file left behind");
            }

            // An existing plot is kept unless replacing is asked (--force); the other metric draws other bars.
            assertThrows(java.nio.file.FileAlreadyExistsException.class,
                    () -> SparsityPlot.write(report, SparsityPlot.Metric.ABOVE_THRESHOLD, png));
            SparsityPlot.write(report, SparsityPlot.Metric.ABOVE_THRESHOLD, png, Existing.REPLACE);
            BufferedImage above = ImageIO.read(png.toFile());
            assertTrue(differs(image, above));
        }
    }

    private static boolean differs(BufferedImage a, BufferedImage b) {
        for (int y = 0; y < Math.min(a.getHeight(), b.getHeight()); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void aMissingFolderIsAClearError() {
        try (Arena arena = Arena.ofConfined()) {
            SparsityReport r = SparsityReport.analyze(
                    List.of(Tensor.ofFloats(arena, "w", DType.F32, new float[] {0, 1}, 2)), 0.2);
            Path png = dir.resolve("no/such/folder/plot.png");
            var e = assertThrows(IOException.class, () -> SparsityPlot.write(r, SparsityPlot.Metric.SPARSITY, png));
            assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        }
    }

    @Test
    void labelsAreShortAndUnique() {
        assertEquals("L0.q_proj", SparsityPlot.shortName("model.layers.0.self_attn.q_proj.weight"));
        assertEquals("L31.down_proj", SparsityPlot.shortName("model.layers.31.mlp.down_proj.weight"));
        assertEquals("L2.input_layernorm", SparsityPlot.shortName("model.layers.2.input_layernorm.weight"));
        assertEquals("embed_tokens", SparsityPlot.shortName("model.embed_tokens.weight"));
        assertEquals("lm_head", SparsityPlot.shortName("lm_head.weight"));
        assertEquals("L5.c_attn", SparsityPlot.shortName("transformer.h.5.attn.c_attn.weight"));
        assertEquals("L0.q_proj.bias", SparsityPlot.shortName("model.layers.0.self_attn.q_proj.bias"));
        assertEquals(List.of("encoder.layers.0.q.weight", "decoder.layers.0.q.weight", "norm"),
                SparsityPlot.shortNames(List.of("encoder.layers.0.q.weight", "decoder.layers.0.q.weight",
                        "model.norm.weight")), "colliding labels keep their full names");
    }

    /** Writes the chart of a 2-layer LLaMA-shaped checkpoint where a person can look at it. */
    public static void main(String[] args) throws IOException {
        try (Arena arena = Arena.ofShared()) {
            SparsityReport r = SparsityReport.analyze(PrunedTinyLlama.build(arena, DType.F16, 2, 64, 172, 1), 0.02);
            SparsityPlot.write(r, SparsityPlot.Metric.SPARSITY, Path.of(args[0]), Existing.REPLACE);
            SparsityPlot.write(r, SparsityPlot.Metric.ABOVE_THRESHOLD, Path.of(args[1]), Existing.REPLACE);
            if (args.length > 2) {
                SparsityReport big = SparsityReport.analyze(PrunedTinyLlama.build(arena, DType.F16, 32, 16, 43, 1), 0.02);
                SparsityPlot.write(big, SparsityPlot.Metric.SPARSITY, Path.of(args[2]), Existing.REPLACE);
            }
        }
    }
}
