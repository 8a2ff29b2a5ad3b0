package dev.prune4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.testing.JavaProcess;
import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The defects of issue 15 that only a real process shows: a stdout that fails, signals, memory
 * limits, the current folder. Each runs {@code prune4j} ({@link Main}) in a JVM of its own; stderr is
 * read without the JVM's incubator warning, which the launcher drops (see {@link LauncherTest}).
 */
class ProcessFaultsTest {
    @TempDir
    static Path shared;
    static Path model;
    static Path calibration;

    @BeforeAll
    static void synthesise() {
        model = shared.resolve("tiny8");
        // Eight layers with SparseGPT take seconds: time to stop a run in the middle.
        CliRun run = CliRun.of("synth", "--model", "tiny", "--layers", "8", "--output", model.toString(),
                "--calibration-tokens", "32");
        assertEquals(0, run.status(), run.toString());
        calibration = model.resolve("calibration/calibration.safetensors");
    }

    private static List<String> cli(List<String> jvm, String... args) {
        return JavaProcess.command(jvm, Main.class, args);
    }

    private static List<String> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aStdoutThatCannotBeWrittenIsAFailure(@TempDir Path tmp) throws Exception {
        File full = new File("/dev/full");
        assumeTrue(full.exists() && !full.isFile(), "no /dev/full device here");
        JavaProcess.Result r = JavaProcess.run(cli(List.of(), "analyze", "--input", model.toString(), "--format", "csv"),
                full, 120);
        assertEquals(1, r.status(), r.toString());
        assertEquals(List.of("prune4j analyze: cannot write to standard output (disk full or pipe closed?)"), r.errLines());
    }

    private Process startPrune(Path out) throws IOException {
        return new ProcessBuilder(cli(List.of(), "prune", "--input", model.toString(), "--output", out.toString(),
                "--method", "sparsegpt", "--sparsity", "0.5", "--calibration", calibration.toString(), "--percdamp", "1",
                "--engine", "cpu")).start();
    }

    /** Waits until the run's temporary output folder exists, then a little longer, so it is mid-write. */
    private static void awaitTemporary(Path dir, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (entries(dir).stream().noneMatch(n -> n.startsWith(".out.p" + p.pid() + "-"))) {
            assertTrue(p.isAlive(), "the run ended before it was stopped");
            assertTrue(System.nanoTime() < deadline, "no temporary folder appeared");
            Thread.sleep(20);
        }
        Thread.sleep(500);
        assertTrue(p.isAlive(), "the run ended before it was stopped");
    }

    @Test
    void sigtermStopsAPruneAndRemovesItsTemporaryFolder(@TempDir Path tmp) throws Exception {
        Process p = startPrune(tmp.resolve("out"));
        awaitTemporary(tmp, p);
        // kill -TERM, not Process.destroy(), which also closes the pipes the test reads stderr from.
        assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
        JavaProcess.Result r = JavaProcess.finish(p, 60);
        assertEquals(143, r.status(), r.toString());
        assertEquals(List.of("prune4j prune: stopped by a signal; the unfinished output is removed"), r.errLines(),
                r.toString());
        assertEquals(List.of(), entries(tmp));
    }

    @Test
    void sigintDoesTheSame(@TempDir Path tmp) throws Exception {
        assumeFalse(sigintIgnoredHere(), "SIGINT is ignored in this process tree (a background job), so no child sees it");
        Process p = startPrune(tmp.resolve("out"));
        awaitTemporary(tmp, p);
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
        JavaProcess.Result r = JavaProcess.finish(p, 60);
        assertEquals(130, r.status(), r.toString());
        assertEquals(List.of(), entries(tmp));
    }

    @Test
    void whatAKilledRunLeftIsNamedByTheNextAndRemovedWithOneFlag(@TempDir Path tmp) throws Exception {
        Process p = startPrune(tmp.resolve("out"));
        awaitTemporary(tmp, p);
        p.destroyForcibly(); // SIGKILL: no shutdown hook runs
        JavaProcess.finish(p, 60);
        List<String> left = entries(tmp);
        assertEquals(1, left.size(), left.toString());
        String stale = left.getFirst();

        JavaProcess.Result again = JavaProcess.run(cli(List.of(), "prune", "--input", model.toString(), "--output",
                tmp.resolve("out").toString(), "--sparsity", "0.5", "--engine", "cpu"), null, 120);
        assertEquals(0, again.status(), again.toString());
        assertTrue(again.errLines().stream().anyMatch(l -> l.startsWith("prune4j: warning: ") && l.contains(stale)
                && l.contains("--remove-stale")), again.toString());
        assertTrue(Files.exists(tmp.resolve(stale)), "only named, not removed");

        JavaProcess.Result clean = JavaProcess.run(cli(List.of(), "prune", "--input", model.toString(), "--output",
                tmp.resolve("out2").toString(), "--sparsity", "0.5", "--engine", "cpu"), null, 120);
        assertFalse(clean.err().contains(stale), "another target's leftovers are not its business");
        Files.move(tmp.resolve("out"), tmp.resolve("done"));
        JavaProcess.Result removed = JavaProcess.run(cli(List.of(), "prune", "--input", model.toString(), "--output",
                tmp.resolve("out").toString(), "--sparsity", "0.5", "--engine", "cpu", "--remove-stale"), null, 120);
        assertEquals(0, removed.status(), removed.toString());
        assertEquals(List.of("done", "out", "out2"), entries(tmp));
    }

    @Test
    void outputDotInAnEmptyFolderIsRefusedAtTheStart(@TempDir Path tmp) throws Exception {
        Path here = Files.createDirectory(tmp.resolve("empty"));
        ProcessBuilder pb = new ProcessBuilder(cli(List.of(), "prune", "--input", model.toString(), "--output", ".",
                "--sparsity", "0.5", "--engine", "cpu")).directory(here.toFile());
        JavaProcess.Result r = JavaProcess.finish(pb.start(), 120);
        assertEquals(1, r.status(), r.toString());
        assertEquals(List.of("prune4j prune: .: is the current folder or holds it; the output is renamed into place"
                + " when complete, so give a new folder name instead"), r.errLines());
        assertEquals(List.of("empty"), entries(tmp));
        assertEquals(List.of(), entries(here));
    }

    /** A JVM in a process whose address space is capped (ulimit -v), small enough to start. */
    private static List<String> underAddressLimit(long kilobytes, String... args) {
        List<String> jvm = List.of("-Xmx256m", "-XX:ReservedCodeCacheSize=64m", "-XX:CompressedClassSpaceSize=64m",
                "-XX:MaxMetaspaceSize=128m", "-Xss1m");
        StringBuilder sh = new StringBuilder("ulimit -v " + kilobytes + " && exec");
        for (String a : cli(jvm, args)) {
            sh.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        return List.of("bash", "-c", sh.toString());
    }

    @Test
    void aHessianThatDoesNotFitIsRefusedWithTheNumbers(@TempDir Path tmp) throws Exception {
        assumeTrue(new File("/bin/bash").canExecute(), "needs bash for ulimit");
        // A [1, 46000] weight: its Hessian is 46000^2 F32 = 8.46 GB.
        Path dir = Files.createDirectory(tmp.resolve("wide"));
        Path inputs = tmp.resolve("inputs.safetensors");
        float[] row = new float[46_000];
        java.util.Arrays.fill(row, 0.5f);
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(dir.resolve("model.safetensors"),
                    List.of(Tensor.ofFloats(arena, "l.weight", DType.F32, row, 1, 46_000)), Map.of());
            SafeTensorsWriter.write(inputs, List.of(Tensor.ofFloats(arena, "l.weight.inputs", DType.F32, row, 1, 46_000)),
                    Map.of());
        }
        long limit = 3_000_000; // kB: the JVM starts, 8.46 GB do not fit
        JavaProcess.Result calibrate = JavaProcess.run(underAddressLimit(limit, "calibrate", "--inputs", inputs.toString(),
                "--output", tmp.resolve("reduced.safetensors").toString(), "--engine", "cpu"), null, 120);
        assumeFalse(calibrate.err().contains("Could not reserve") || calibrate.err().contains("Error occurred during initialization"),
                "the JVM does not start under ulimit -v here: " + calibrate.err());
        assertEquals(1, calibrate.status(), calibrate.toString());
        List<String> lines = calibrate.errLines();
        assertEquals(1, lines.size(), calibrate.toString());
        assertTrue(lines.getFirst().startsWith("prune4j calibrate: " + inputs + ": tensor 'l.weight.inputs': its Hessian"
                + " (46000 x 46000 F32) needs 8.46 GB of memory but only "), lines.getFirst());

        JavaProcess.Result prune = JavaProcess.run(underAddressLimit(limit, "prune", "--input", dir.toString(), "--output",
                tmp.resolve("out").toString(), "--method", "sparsegpt", "--sparsity", "0.5", "--calibration",
                inputs.toString(), "--include", ".*", "--engine", "cpu"), null, 120);
        assertEquals(1, prune.status(), prune.toString());
        assertEquals(1, prune.errLines().size(), prune.toString());
        assertTrue(prune.errLines().getFirst().startsWith("prune4j prune: weight 'l.weight' [1, 46000] with sparsegpt"),
                prune.toString());
        assertTrue(prune.errLines().getFirst().contains("needs 16.9 GB of memory but only "), prune.toString());
        assertEquals(List.of("inputs.safetensors", "wide"), entries(tmp));
    }

    static boolean sigintIgnoredHere() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 2L) != 0;
            }
        }
        return false;
    }
}
