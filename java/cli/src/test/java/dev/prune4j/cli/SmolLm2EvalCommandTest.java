package dev.prune4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.model.eval.lm.DomainReport;
import dev.prune4j.model.eval.lm.PerplexityReport;
import dev.prune4j.model.llama.LlamaConfig;
import dev.prune4j.model.llama.SmolLm2;
import dev.prune4j.model.text.FortuneCorpus;
import dev.prune4j.model.text.Installed;
import dev.prune4j.model.text.KjvBible;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code prune4j eval --model smollm2} and {@code prune4j convert} on the real SmolLM2-135M,
 * kept to a few windows of a few tokens: what the commands write, not how good the numbers are
 * (the models module's {@code SmolLm2PruningTest} checks those).
 */
class SmolLm2EvalCommandTest {
    @Test
    void aSmallEvalWritesTheTableTheCsvAndThePlot(@TempDir Path tmp) throws Exception {
        Installed.require(SmolLm2.locateGguf());
        Path out = tmp.resolve("eval");
        CliRun run = CliRun.of("eval", "--model", "smollm2", "--output", out.toString(), "--methods",
                "magnitude,wanda", "--sparsity", "0.5", "--pattern", "2:4", "--context", "32", "--eval-windows", "2",
                "--calibration", "2", "--engine", "cpu", "--threads", "2");
        assertEquals(0, run.status(), run.toString());

        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(PerplexityReport.CSV_HEADER, csv.getFirst());
        List<String> expected = List.of("dense,none,0.0,", "magnitude,tensor,0.5,", "magnitude,2:4,0.5,",
                "wanda,row,0.5,", "wanda,2:4,0.5,");
        assertEquals(expected.size() + 1, csv.size(), csv.toString());
        for (int i = 0; i < expected.size(); i++) {
            String row = csv.get(i + 1);
            assertTrue(row.startsWith(expected.get(i)), row);
            String[] cells = row.split(",");
            double actual = Double.parseDouble(cells[3]);
            assertEquals(i == 0 ? 0.0 : 0.5, actual, i == 0 ? 1e-3 : 1e-4, row);
            double perplexity = Double.parseDouble(cells[4]);
            assertTrue(perplexity > 1 && Double.isFinite(perplexity), row);
        }
        String md = Files.readString(out.resolve("results.md"));
        assertTrue(md.contains("Command: `./prune4j eval --model smollm2 --output"), md);
        assertTrue(md.contains("the first 2 non-overlapping windows of 32 tokens of the Wikipedia evaluation text"), md);
        assertTrue(md.contains("| wanda | 2:4 | 0.50 | 0.5000 |"), md);
        assertTrue(md.contains("Total: "), md);
        BufferedImage png = ImageIO.read(out.resolve("perplexity.png").toFile());
        assertTrue(png.getWidth() > 1000 && png.getHeight() > 400);
        try (var files = Files.list(out)) {
            assertEquals(3, files.count(), "no temporary files left behind");
        }

        // A second run into the same folder keeps the results, unless told to replace them.
        byte[] before = Files.readAllBytes(out.resolve("results.md"));
        CliRun again = CliRun.of("eval", "--model", "smollm2", "--output", out.toString(), "--methods", "magnitude",
                "--sparsity", "0.5", "--pattern", "none", "--context", "32", "--eval-windows", "1");
        assertEquals(1, again.status(), again.toString());
        assertTrue(again.err().contains("results.md") && again.err().contains("--force"), again.err());
        assertEquals(1, again.err().strip().lines().count(), again.err());
        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(out.resolve("results.md")));
        CliRun forced = CliRun.of("eval", "--model", "smollm2", "--output", out.toString(), "--methods", "magnitude",
                "--sparsity", "0.5", "--pattern", "none", "--context", "32", "--eval-windows", "1", "--force");
        assertEquals(0, forced.status(), forced.toString());
        assertEquals(3, Files.readAllLines(out.resolve("results.csv")).size(), "header, dense, magnitude");
    }

    @Test
    void convertWritesAFolderThatEvalReads(@TempDir Path tmp) throws Exception {
        Path gguf = Installed.require(SmolLm2.locateGguf());
        Path dir = tmp.resolve("smollm2-hf");
        CliRun convert = CliRun.of("convert", "--input", gguf.toString(), "--output", dir.toString());
        assertEquals(0, convert.status(), convert.toString());
        for (String file : List.of("model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json",
                "generation_config.json")) {
            assertTrue(Files.isRegularFile(dir.resolve(file)), file);
        }
        assertEquals(30, LlamaConfig.fromJson(dir.resolve("config.json")).layers());
        CliRun again = CliRun.of("convert", "--input", gguf.toString(), "--output", dir.toString());
        assertEquals(1, again.status(), "an existing folder is refused: " + again);
        assertTrue(again.err().contains(dir.toString()), again.err());

        Path text = Files.writeString(tmp.resolve("text.txt"), "The quick brown fox jumps over the lazy dog. ".repeat(20));
        Path out = tmp.resolve("eval");
        CliRun eval = CliRun.of("eval", "--model", "smollm2", "--model-dir", dir.toString(), "--output", out.toString(),
                "--methods", "magnitude", "--sparsity", "0.5", "--pattern", "none", "--context", "64",
                "--eval-windows", "1", "--eval-text", text.toString(), "--threads", "2");
        assertEquals(0, eval.status(), eval.toString());
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(3, csv.size(), csv.toString());
        // A repeated sentence is easy to predict once seen: the dense model's perplexity is low.
        assertTrue(Double.parseDouble(csv.get(1).split(",")[4]) < 5, csv.toString());
        assertTrue(Files.readString(out.resolve("results.md")).contains(text.toString()));
    }

    @Test
    void theDomainStudyWritesTheSquareTableAndTheMaskDistances(@TempDir Path tmp) throws Exception {
        Installed.require(SmolLm2.locateGguf());
        if (!KjvBible.installed() || !Files.isRegularFile(FortuneCorpus.DEFAULT_DIR.resolve("literature"))) {
            Installed.missing("fortunes and bible-kjv-text are not installed");
        }
        Path out = tmp.resolve("domains");
        CliRun run = CliRun.of("eval", "--model", "smollm2", "--domains", "--output", out.toString(), "--methods",
                "wanda", "--sparsity", "0.5", "--pattern", "none", "--context", "16", "--eval-windows", "1",
                "--calibration", "1", "--engine", "cpu", "--threads", "2");
        assertEquals(0, run.status(), run.toString());
        List<String> perplexity = Files.readAllLines(out.resolve("domains.csv"));
        assertEquals("method,setting," + DomainReport.PERPLEXITY_CSV_HEADER, perplexity.getFirst());
        assertEquals(1 + 3 + 9, perplexity.size(), perplexity.toString());
        assertTrue(perplexity.get(1).startsWith("wanda,row,dense,wikipedia,"), perplexity.get(1));
        assertTrue(perplexity.get(4).startsWith("wanda,row,wikipedia,wikipedia,"), perplexity.get(4));
        assertTrue(perplexity.getLast().startsWith("wanda,row,bible,bible,"), perplexity.getLast());
        List<String> jaccard = Files.readAllLines(out.resolve("jaccard.csv"));
        assertEquals(1 + 3 * 8, jaccard.size(), jaccard.toString());
        List<String> overall = new ArrayList<>();
        for (String line : jaccard) {
            if (line.contains(",overall,")) {
                overall.add(line);
                double d = Double.parseDouble(line.split(",")[5]);
                assertTrue(d > 0 && d < 1, "different texts, different masks: " + line);
            }
        }
        assertEquals(3, overall.size());
        String md = Files.readString(out.resolve("domains.md"));
        assertTrue(md.contains("| calibrated on | actual sparsity | wikipedia | fortunes | bible |"), md);
        assertTrue(md.contains("| gate_proj |"), md);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--model minilm --context 128|--context applies to --model smollm2 only",
            "--model minilm --domains|--domains applies to --model smollm2 only",
            "--model smollm2 --scope tensor|--scope applies to --model minilm only",
            "--model smollm2 --context 1|--context must be at least 2",
            "--model smollm2 --eval-windows 0|--eval-windows must be >= 1",
            "--model smollm2 --domains --eval-text x.txt|--domains brings its own texts",
            "--model smollm2 --domains --methods magnitude|give --methods a calibrated method",
            "--model smollm2 --eval-text no-such-file.txt|--eval-text: no such file",
            "--model smollm2 --engine tpu|--engine"})
    void badArgumentsAreUsageErrors(String option, String message, @TempDir Path tmp) {
        List<String> argv = new ArrayList<>(List.of("eval", "--output", tmp.resolve("out").toString()));
        argv.addAll(List.of(option.split(" ")));
        CliRun run = CliRun.of(argv.toArray(String[]::new));
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains(message), run.err());
        assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
    }

    @Test
    void textsThatAreNotUtf8OrTooShortAreNamed(@TempDir Path tmp) throws Exception {
        Installed.require(SmolLm2.locateGguf());
        Path latin1 = Files.write(tmp.resolve("latin1.txt"), "caf\u00e9 cr\u00e8me".getBytes(StandardCharsets.ISO_8859_1));
        CliRun notUtf8 = CliRun.of("eval", "--model", "smollm2", "--output", tmp.resolve("a").toString(),
                "--eval-text", latin1.toString(), "--methods", "magnitude");
        assertEquals(2, notUtf8.status(), notUtf8.toString());
        assertTrue(notUtf8.err().contains("--eval-text: " + latin1 + " is not UTF-8 text"), notUtf8.err());

        Path shortText = Files.writeString(tmp.resolve("short.txt"), "Only a few words here.");
        CliRun tooShort = CliRun.of("eval", "--model", "smollm2", "--output", tmp.resolve("b").toString(),
                "--eval-text", shortText.toString(), "--methods", "magnitude", "--eval-windows", "3", "--context", "64");
        assertEquals(2, tooShort.status(), tooShort.toString());
        assertTrue(tooShort.err().contains("--eval-windows 3: " + shortText + " holds"), tooShort.err());
        assertTrue(Files.notExists(tmp.resolve("b")), "nothing written");
    }
}
