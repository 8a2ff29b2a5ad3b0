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
