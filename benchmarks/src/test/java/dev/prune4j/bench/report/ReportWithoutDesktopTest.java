package dev.prune4j.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./prune4j report} in a JVM limited to the GPU bundle's modules (no {@code java.desktop}):
 * it writes report.md, says the plots were left out, draws none, and prints the brief. A class that
 * merely mentions AWT types in its code fails to load there, which the build's own JVM never shows.
 */
class ReportWithoutDesktopTest {
    /** The modules of benchmarks/gpu/bundle.sh's jlink runtime. */
    static final String BUNDLE_MODULES = "java.base,java.logging,java.management,java.xml,jdk.unsupported,"
            + "jdk.incubator.vector";

    @Test
    void aRuntimeWithoutJavaDesktopWritesTheReportAndNoPlots(@TempDir Path dir) throws Exception {
        Path gemm = Path.of(getClass().getResource("gpu-gemm-handwritten.jsonl").toURI());
        Path torch = Path.of(getClass().getResource("torch-handwritten.jsonl").toURI());
        Path jmh = Path.of(getClass().getResource("cuda-handwritten-jmh.json").toURI());
        Path out = dir.resolve("report");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--limit-modules", BUNDLE_MODULES, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.prune4j.bench.BenchMain", "report", "--input", gemm.toString(), "--input", torch.toString(),
                "--input", jmh.toString(), "--output", out.toString(), "--brief"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        String md = Files.readString(out.resolve(ReportWriter.REPORT));
        assertTrue(md.contains("Plots left out: this Java runtime has no java.desktop"), md);
        assertTrue(md.contains("## Dense vs 2:4, paired and cache-honest"), md);
        try (Stream<Path> files = Files.list(out)) {
            assertFalse(files.anyMatch(f -> f.toString().endsWith(".png")), "no plots without java.desktop");
        }
        assertTrue(log.contains("cuda F16  4096x4096       1 tok:"), "the brief is printed: " + log);
    }
}
