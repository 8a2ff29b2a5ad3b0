package dev.prune4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.prune4j.testing.JavaProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM and SIGINT remove what a process was writing; SIGKILL leaves it, and the next run finds it. */
class TemporaryFilesProcessTest {
    @TempDir
    Path tmp;

    private Process startHolding() throws IOException {
        Process p = new ProcessBuilder(JavaProcess.command(List.of(), HoldTemporaries.class, tmp.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        return p;
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void sigtermRemovesTheTemporaries() throws Exception {
        Process p = startHolding();
        assertEquals(2, entries().size(), entries().toString());
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue());
        assertEquals(List.of(), entries());
    }

    @Test
    void sigintRemovesTheTemporaries() throws Exception {
        // A JVM started with SIGINT ignored (a background job of a shell without job control) keeps
        // it ignored: then there is no Ctrl-C to test.
        assumeFalse(sigintIgnoredHere(), "SIGINT is ignored in this process tree (background job), so a child JVM never sees it");
        Process p = startHolding();
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
        assertEquals(0, kill.waitFor());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(130, p.exitValue());
        assertEquals(List.of(), entries());
    }

    @Test
    void sigkillLeavesThemAndTheyAreThenStale() throws Exception {
        Process p = startHolding();
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        List<Path> stale = StaleTemporaries.of(tmp.resolve("out"));
        assertEquals(1, stale.size(), entries().toString());
        assertTrue(stale.getFirst().getFileName().toString().startsWith(".out.p" + p.pid() + "-"));
        assertEquals(1, StaleTemporaries.of(tmp.resolve("plot.png")).size());
    }

    /** Bit 2 (SIGINT) of SigIgn in /proc/self/status. */
    static boolean sigintIgnoredHere() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 2L) != 0;
            }
        }
        return false;
    }
}
