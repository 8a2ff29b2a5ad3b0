package dev.prune4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.model.bert.MiniLmFixture;
import dev.prune4j.model.eval.EvalReport;
import dev.prune4j.model.text.FortuneCorpus;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code prune4j eval} on the real MiniLM and fortune text, kept small for CI. */
class EvalCommandTest {
    /** All three methods at one sparsity and 2:4, on a few sentences: the CI run of the eval command. */
    @Test
    void aSmallEvalWritesTheTableTheCsvAndThePlot(@TempDir Path tmp) throws Exception {
        Path modelDir = MiniLmFixture.requireDir();
        Assumptions.assumeTrue(Files.isRegularFile(FortuneCorpus.DEFAULT_DIR.resolve("literature"))
                || "1".equals(System.getenv("PRUNE4J_REQUIRE_PYTHON")), "fortunes not installed");
        Path out = tmp.resolve("eval");
        CliRun run = CliRun.of("eval", "--model", "minilm", "--model-dir", modelDir.toString(), "--output", out.toString(),
                "--methods", "magnitude,wanda,sparsegpt", "--sparsity", "0.5", "--scope", "tensor,global",
                "--pattern", "2:4", "--calibration", "8", "--sentences", "16", "--queries", "16", "--threads", "2");
        assertEquals(0, run.status(), run.toString());

        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(EvalReport.CSV_HEADER, csv.getFirst());
        // Wanda and SparseGPT have no global scope: no rows for it.
        List<String> expected = List.of("magnitude,tensor,", "magnitude,global,", "magnitude,2:4,", "wanda,row,",
                "wanda,2:4,", "sparsegpt,tensor,", "sparsegpt,2:4,");
        assertEquals(expected.size() + 1, csv.size(), csv.toString());
        Map<String, Double> cosine = new HashMap<>();
        for (int i = 0; i < expected.size(); i++) {
            String row = csv.get(i + 1);
            assertTrue(row.startsWith(expected.get(i) + "0.5,0.5"), row);
            String[] cells = row.split(",");
            double c = Double.parseDouble(cells[4]);
            assertTrue(c > 0 && c < 1, row);
            cosine.put(cells[0] + " " + cells[1], c);
        }
        // The calibrated methods keep more of the embedding than magnitude at 2:4 (by a wide margin on MiniLM).
        assertTrue(cosine.get("wanda 2:4") > cosine.get("magnitude 2:4"), cosine.toString());
        assertTrue(cosine.get("sparsegpt 2:4") > cosine.get("magnitude 2:4"), cosine.toString());
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("| magnitude | 2:4 | 0.50 |"), md);
        assertTrue(md.contains("| wanda | row | 0.50 |"), md);
        assertTrue(md.contains("sequential"), md);
        BufferedImage png = ImageIO.read(out.resolve("quality.png").toFile());
        assertTrue(png.getWidth() > 1000 && png.getHeight() > 400);
        try (var files = Files.list(out)) {
            assertEquals(3, files.count(), "no temporary files left behind");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--model gpt2|expected minilm (all-MiniLM-L6-v2) or smollm2",
            "--calibration-mode twice|unknown calibration mode",
            "--methods random|unknown method",
            "--sparsity 1.5|not in [0, 1)",
            "--scope diagonal|unknown scope",
            "--pattern 4:2|N:M"})
    void badArgumentsAreUsageErrors(String option, String message, @TempDir Path tmp) {
        String[] kv = option.split(" ");
        List<String> argv = new java.util.ArrayList<>(List.of("eval", "--output", tmp.toString()));
        if (!kv[0].equals("--model")) {
            argv.addAll(List.of("--model", "minilm"));
        }
        argv.addAll(List.of(kv));
        CliRun run = CliRun.of(argv.toArray(String[]::new));
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains(message), run.err());
    }
}
