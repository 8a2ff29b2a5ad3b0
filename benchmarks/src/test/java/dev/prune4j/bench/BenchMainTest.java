package dev.prune4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line of {@code ./prune4j bench} and {@code ./prune4j report}, without running JMH. */
class BenchMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... argv) {
        return BenchMain.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void reportMergesFilesIntoOneFolder(@TempDir Path dir) throws Exception {
        Path cuda = Path.of(getClass().getResource("report/cuda-handwritten-jmh.json").toURI());
        Path torch = Path.of(getClass().getResource("report/torch-handwritten.json").toURI());
        Path output = dir.resolve("new/report");
        assertEquals(0, run("report", "--input", cuda.toString(), "--input", torch.toString(), "--output",
                output.toString()), err.toString());
        assertTrue(Files.isRegularFile(output.resolve("report.md")));
        assertTrue(out.toString().contains("speedup-cuda-q-o.png"), out.toString());
    }

    @Test
    void aDryRunRunsTheSmokeProfileOnTheCpuAndWritesLinesAsTrialsEnd(@TempDir Path dir) throws Exception {
        System.setProperty("jmh.ignoreLock", "true");
        Path lines = dir.resolve("lines/pruning.jsonl");
        assertEquals(0, run("bench", "--engine", "cuda", "--dry-run", "--include", "MaskBench.nm24", "--output",
                dir.resolve("out").toString(), "--jsonl", lines.toString()), err.toString() + out);
        List<String> text = Files.readAllLines(lines);
        assertTrue(text.get(0).contains("\"kind\":\"header\"") && text.get(0).contains("\"dry_run\":true"), text.get(0));
        assertTrue(text.get(1).contains("\"kind\":\"jmh\"") && text.get(1).contains("MaskBench.nm24"), text.get(1));
        assertTrue(text.get(text.size() - 1).contains("\"kind\":\"end\""), text.toString());
        assertTrue(Files.isRegularFile(dir.resolve("out/report.md")));
        assertTrue(Files.notExists(dir.resolve("out/linear.jsonl")), "the LinearBench entries were not selected");
    }

    @Test
    void linearBenchEntriesArePairedAndWriteCaseLines(@TempDir Path dir) throws Exception {
        assertEquals(0, run("bench", "--dry-run", "--include", "LinearBench", "--shapes", "8x64", "--tokens", "3",
                "--output", dir.toString()), err.toString() + out);
        List<String> text = Files.readAllLines(dir.resolve("linear.jsonl"));
        assertEquals(4, text.size(), "header, device, one case, end: " + text);
        assertTrue(text.get(1).contains("\"bandwidth_gbs\""), text.get(1));
        assertTrue(text.get(2).contains("\"shape\":\"8x64\"") && text.get(2).contains("\"dense_wall_ms\"")
                && text.get(2).contains("\"limit_speedup\"") && text.get(2).contains("\"copies\":16"), text.get(2));
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(md.contains("| Other shapes | - | 8 x 64 | 3 |"), md);
    }

    @Test
    void reportBriefPrintsOneLinePerPairedCase(@TempDir Path dir) throws Exception {
        Path gemm = Path.of(getClass().getResource("report/gpu-gemm-handwritten.jsonl").toURI());
        assertEquals(0, run("report", "--input", gemm.toString(), "--brief", "--output", dir.toString()), err.toString());
        assertTrue(out.toString().contains("cuda BF16 1024x8192       1 tok:"), out.toString());
    }

    @Test
    void badArgumentsAreUsageErrorsThatNameTheOption(@TempDir Path dir) {
        assertEquals(2, run("bench", "--engine", "tpu", "--output", dir.toString()));
        assertTrue(err.toString().contains("unknown engine 'tpu'"), err.toString());
        assertEquals(2, run("bench", "--tokens", "0", "--output", dir.toString()));
        assertTrue(err.toString().contains("--tokens"), err.toString());
        assertEquals(2, run("bench", "--shapes", "4096by4096", "--output", dir.toString()));
        assertTrue(err.toString().contains("4096by4096"), err.toString());
        assertEquals(2, run("report", "--output", dir.toString()));
        assertTrue(err.toString().contains("--input is required"), err.toString());
        assertEquals(2, run("report", "--input", "x.json"));
        assertTrue(err.toString().contains("--output is required"), err.toString());
        assertEquals(2, run("bench", "--include", "NoSuchBench", "--output", dir.toString()));
        assertTrue(err.toString().contains("matches no benchmark"), err.toString());
    }

    @Test
    void aMissingInputFileFailsNamingIt(@TempDir Path dir) {
        assertEquals(1, run("report", "--input", dir.resolve("nope.json").toString(), "--output", dir.toString()));
        assertTrue(err.toString().contains("nope.json"), err.toString());
    }

    @Test
    void profilesOnlyNameParametersTheirBenchmarksDeclare() {
        for (String engine : List.of("cpu", "cuda")) {
            for (boolean quick : List.of(true, false)) {
                for (BenchRun r : BenchSuite.profile(engine, quick)) {
                    r.params().keySet().forEach(k -> assertTrue(r.declares(k), r + " sets undeclared " + k));
                    assertEquals(List.of(engine), r.params().get("engine"), r.toString());
                }
            }
        }
    }
}
