package dev.prune4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.io.AtomicFiles.Existing;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Single-file outputs: never a half-written file, never a replaced file unless asked, never a replaced link or device. */
class AtomicFilesTest {
    @TempDir
    Path tmp;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anExistingFileIsNeverReplacedWithoutReplace() throws IOException {
        Path shard = Files.writeString(tmp.resolve("model.safetensors"), "weights");
        var e = assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.checkTarget(shard, Existing.REFUSE));
        assertEquals("exists", e.getReason());
        assertThrows(FileAlreadyExistsException.class,
                () -> AtomicFiles.write(shard, Existing.REFUSE, out -> out.write(1)));
        assertEquals("weights", Files.readString(shard));
        assertEquals(List.of("model.safetensors"), names(), "no temporary file is left");

        AtomicFiles.write(shard, Existing.REPLACE, out -> out.write('x'));
        assertEquals("x", Files.readString(shard));
    }

    @Test
    void aFolderOrALinkIsRefusedEvenWhenReplacing() throws IOException {
        Path folder = Files.createDirectory(tmp.resolve("plot.png"));
        var e = assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.checkTarget(folder, Existing.REPLACE));
        assertEquals("is a folder", e.getReason());
        Path dangling = Files.createSymbolicLink(tmp.resolve("link.png"), tmp.resolve("nowhere"));
        var l = assertThrows(FileSystemException.class, () -> AtomicFiles.writeString(dangling, "x"));
        assertTrue(l.getMessage().contains("symbolic link"), l.getMessage());
        assertFalse(Files.exists(tmp.resolve("nowhere")), "nothing was written through the link");
    }

    @Test
    void aFileThatAppearsWhileWritingIsNotReplaced() throws IOException {
        Path target = tmp.resolve("calibration.safetensors");
        var e = assertThrows(FileAlreadyExistsException.class, () -> AtomicFiles.writeWith(target, Existing.REFUSE, t -> {
            Files.writeString(t, "new");
            Files.writeString(target, "someone else's");
        }));
        assertTrue(e.getMessage().contains("appeared"), e.getMessage());
        assertEquals("someone else's", Files.readString(target));
        assertEquals(List.of("calibration.safetensors"), names());
    }

    @Test
    void aWriteErrorWithoutAFileNameIsGivenTheTargetsName() {
        Path target = tmp.resolve("report.md");
        var e = assertThrows(FileSystemException.class, () -> AtomicFiles.write(target, Existing.REFUSE, out -> {
            throw new IOException("No space left on device");
        }));
        assertEquals(target.toString(), e.getFile());
        assertTrue(e.getMessage().endsWith("No space left on device"), e.getMessage());
        assertFalse(Files.exists(target));
    }

    @Test
    void temporariesCarryTheProcessIdAndAreRegisteredUntilDeleted() throws IOException {
        Path target = tmp.resolve("out.safetensors");
        Path t = AtomicFiles.createFileBeside(target);
        assertTrue(t.getFileName().toString().matches("\\.out\\.safetensors\\.p" + ProcessHandle.current().pid()
                + "-[0-9a-f]+\\.tmp"), t.toString());
        assertTrue(TemporaryFiles.live().contains(t.toAbsolutePath()));
        AtomicFiles.deleteRecursively(t);
        assertFalse(TemporaryFiles.live().contains(t.toAbsolutePath()));
        Path d = AtomicFiles.createDirectoryBeside(target);
        Files.writeString(d.resolve("x"), "x");
        TemporaryFiles.deleteAll();
        assertFalse(Files.exists(d), "the shutdown hook's work removes a registered folder and its content");
    }
}
