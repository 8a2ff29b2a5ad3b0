package dev.prune4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.bench.report.BenchResults;
import dev.prune4j.bench.report.JsonLines;
import dev.prune4j.bench.report.LinearResult;
import dev.prune4j.bench.report.OtherResult;
import dev.prune4j.bench.report.ReportWriter;
import dev.prune4j.bench.report.ResultReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI's seconds-long run of the suite ({@link BenchSuite#smoke()}): every benchmark class through
 * JMH's Runner in a fork, one short iteration on one small shape, then the JSON merge and the report.
 * A benchmark that throws is left out of JMH's results, so the test fails by naming it. Nothing here
 * looks at how fast anything was.
 */
class SuiteSmokeTest {
    @Test
    void everyBenchmarkRunsAndTheReportIsWritten(@TempDir Path dir) throws Exception {
        // Other engineers benchmark on the same machine; JMH's machine-wide lock must not fail CI.
        System.setProperty("jmh.ignoreLock", "true");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path lines = dir.resolve("jmh.jsonl");
        List<Path> parts = BenchMain.runAll(BenchSuite.smoke(), null, dir,
                new PrintStream(log, true, StandardCharsets.UTF_8), new JsonLines(lines, JmhLines.FORMAT));
        Path json = dir.resolve(BenchMain.JMH_JSON);
        BenchMain.mergeJson(parts, json);
        for (Path p : parts) {
            assertTrue(Files.notExists(p), "partial JSON " + p + " should be merged and removed");
        }

        BenchResults results = ResultReader.read(List.of(json));
        Set<String> ran = new TreeSet<>();
        results.linear().forEach(r -> ran.add("LinearBench." + (r.impl() == LinearResult.Impl.PRUNE4J_DENSE
                ? "dense" : "sparse24")));
        results.other().stream().map(OtherResult::benchmark).forEach(ran::add);
        Set<String> expected = BenchSuite.smoke().stream().flatMap(r -> r.methods().stream())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(expected, ran, "benchmarks without a result failed; JMH's output:\n" + log);

        for (LinearResult r : results.linear()) {
            assertEquals("1024x8192", r.shape());
            assertEquals(1, r.tokens());
            assertTrue(r.ms() > 0, "a positive time per call: " + r);
            assertTrue(Double.isNaN(r.kernelMs()), "the CPU engine reports no kernel time: " + r);
        }

        // Every trial was also appended as a JSON line the moment it ended: the same results.
        BenchResults fromLines = ResultReader.read(List.of(lines));
        assertEquals(results.linear().size(), fromLines.linear().size(), "LinearBench lines");
        assertEquals(results.other().size(), fromLines.other().size(), "other benchmarks' lines");
        assertEquals(results.linear().get(0).ms(), fromLines.linear().get(0).ms());

        List<Path> written = ReportWriter.write(results, List.of(), dir);
        String report = Files.readString(dir.resolve(ReportWriter.REPORT));
        assertTrue(report.contains("| LLaMA-2-70B | k/v | 1024 x 8192 | 1 |"), report);
        assertTrue(report.contains("MaskBench.nm24"), report);
        assertTrue(written.contains(dir.resolve("speedup-cpu-k-v.png")), written.toString());
    }
}
