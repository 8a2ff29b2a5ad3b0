package dev.prune4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a killed run left is found; what a live run is writing is not. */
class StaleTemporariesTest {
    @TempDir
    Path tmp;

    @Test
    void theOwnerIsReadFromTheName() {
        assertEquals(OptionalLong.of(1234), StaleTemporaries.ownerOf("p1234-abc"));
        assertEquals(OptionalLong.empty(), StaleTemporaries.ownerOf("1f2e3d"), "an older name without a process id");
        assertEquals(OptionalLong.empty(), StaleTemporaries.ownerOf("p-1"));
    }

    @Test
    void onlyTemporariesOfTheTargetWhoseProcessIsGoneAreStale() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        long dead = finished.pid();
        Path target = tmp.resolve("out");
        Path stale = Files.createDirectory(tmp.resolve(".out.p" + dead + "-1a.tmp"));
        Files.writeString(stale.resolve("model.safetensors"), "x".repeat(100));
        Path old = Files.createFile(tmp.resolve(".out.0badc0de.tmp"));
        Files.createDirectory(tmp.resolve(".out.p" + ProcessHandle.current().pid() + "-2b.tmp")); // ours, live
        Files.createDirectory(tmp.resolve(".other.p" + dead + "-3c.tmp"));                      // another target's
        Files.createDirectory(tmp.resolve(".out.p" + dead + "-4d"));                             // not a temporary
        assertEquals(List.of(old, stale), StaleTemporaries.of(target));
        assertEquals(100, StaleTemporaries.sizeOf(stale));
        assertTrue(StaleTemporaries.of(tmp.resolve("missing").resolve("x")).isEmpty());
    }
}
