package dev.prune4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prune4j.testing.Tmpfs;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output folders that could only fail at the end are refused at the start. */
class OutputFolderTest {
    @TempDir
    Path tmp;

    private List<Path> entries() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aLinkDanglingOrNotIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path dangling = Files.createSymbolicLink(tmp.resolve("out"), tmp.resolve("gone"));
        var e = assertThrows(FileSystemException.class, () -> OutputFolder.create(dangling));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertThrows(FileSystemException.class, () -> OutputFolder.create(link));
        assertEquals(List.of(link, dangling, real), entries(), "no temporary folder was made");
    }

    @Test
    void aPathThatNamesNoFolderIsRefused() {
        var e = assertThrows(FileSystemException.class, () -> OutputFolder.create(tmp.resolve("missing").resolve("..")));
        assertTrue(e.getMessage().contains("names no folder"), e.getMessage());
    }

    @Test
    void anEmptyExistingFolderIsReplacedAndARunThatFailsLeavesNothing() throws IOException {
        Path out = Files.createDirectory(tmp.resolve("out"));
        try (OutputFolder f = OutputFolder.create(out.resolve("."))) {
            assertEquals(out, f.path().getParent().resolve("out"), "built beside the folder, not inside it");
            Files.writeString(f.path().resolve("a"), "a");
            f.commit();
        }
        assertEquals("a", Files.readString(out.resolve("a")));
        Path other = tmp.resolve("other");
        try (OutputFolder f = OutputFolder.create(other)) {
            Files.writeString(f.path().resolve("b"), "b");
            assertTrue(TemporaryFiles.live().contains(f.path().toAbsolutePath()));
        }
        assertEquals(List.of(out), entries(), "closing without commit removes the temporary folder");
    }

    @Test
    void anOutputThatCannotFitIsRefusedWithTheNumbers() throws IOException {
        try (OutputFolder f = OutputFolder.create(tmp.resolve("out"))) {
            var e = assertThrows(FreeSpace.NotEnoughSpaceException.class, () -> f.requireSpace(Long.MAX_VALUE / 4, 3));
            assertTrue(e.getMessage().startsWith(tmp.resolve("out") + ": needs "), e.getMessage());
            assertTrue(e.getMessage().contains("free"), e.getMessage());
            assertTrue(e.needed() > e.usable());
            f.requireSpace(1000, 1);
        }
    }

    @Test
    void aMountPointIsRefused() throws Exception {
        Path mountPoint = Files.createDirectory(tmp.resolve("mnt"));
        Tmpfs.Result r = Tmpfs.mount(mountPoint, 1 << 20);
        assumeTrue(r.tmpfs().isPresent(), r.whyNot());
        try (Tmpfs fs = r.tmpfs().get()) {
            var e = assertThrows(FileSystemException.class, () -> OutputFolder.create(fs.dir()));
            assertTrue(e.getMessage().contains("mount point"), e.getMessage());
            try (OutputFolder inside = OutputFolder.create(fs.dir().resolve("out"))) {
                assertFalse(Files.exists(inside.target()));
            }
        }
    }
}
