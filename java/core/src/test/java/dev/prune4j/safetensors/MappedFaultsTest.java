package dev.prune4j.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.testing.Tmpfs;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mapped page the kernel cannot back faults, and the JVM says only "a fault occurred in an unsafe
 * memory access". These make the two real causes happen and check that the error names the file.
 */
class MappedFaultsTest {
    @TempDir
    Path tmp;

    private static final int FLOATS = 256 * 1024; // 1 MiB of F32

    private static void model(Path file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(file, List.of(Tensor.ofFloats(arena, "w.weight", DType.F32, new float[FLOATS],
                    FLOATS)), Map.of());
        }
    }

    @Test
    void anInputTruncatedWhileItIsReadIsNamed() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("model"));
        Path shard = dir.resolve("model.safetensors");
        model(shard);
        Path out = tmp.resolve("out");
        try (Checkpoint c = Checkpoint.open(dir)) {
            // Someone truncates the file after it was opened (and validated) but before it is read.
            try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
                f.setLength(4096);
            }
            var e = assertThrows(SafeTensorsException.class, () -> CheckpointWriter.write(c, out, CheckpointWriter.copyFrom(c)));
            assertEquals(shard, e.file());
            assertTrue(e.getMessage().contains("was truncated while being read: 4096 bytes now"), e.getMessage());
            assertTrue(MappedFaults.isMappedFault(e.getCause()), "the JVM's error is kept as the cause");
        }
        assertFalse(Files.exists(out));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(dir), s.toList(), "no temporary folder is left");
        }
    }

    @Test
    void aDiskThatFillsUpWhileAFileIsWrittenIsNamed() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("model"));
        model(dir.resolve("model.safetensors"));
        Tmpfs.Result mounted = Tmpfs.mount(tmp.resolve("disk"), 3 << 20);
        assumeTrue(mounted.tmpfs().isPresent(), mounted.whyNot());
        try (Tmpfs disk = mounted.tmpfs().get(); Checkpoint c = Checkpoint.open(dir)) {
            Path out = disk.dir().resolve("out");
            // The space check passes (3 MiB free for 1 MiB); then another writer takes the rest.
            var e = assertThrows(SafeTensorsException.class, () -> CheckpointWriter.write(c, out, (info, dst) -> {
                disk.fill("other-writer", 0);
                MemorySegment.copy(c.tensor(info.name()).data(), 0, dst.data(), 0, info.byteSize());
            }));
            assertTrue(e.getMessage().contains("model.safetensors: writing it failed: its file system is full"),
                    e.getMessage());
            assertTrue(e.getMessage().startsWith(disk.dir().toString()), e.getMessage());
            Files.delete(disk.dir().resolve("other-writer"));
            try (Stream<Path> s = Files.list(disk.dir())) {
                assertEquals(List.of(), s.toList(), "the temporary folder is removed");
            }
        }
    }

    @Test
    void theFaultIsRecognisedInACauseChain() {
        InternalError fault = new InternalError("a fault occurred in an unsafe memory access");
        assertTrue(MappedFaults.isMappedFault(new RuntimeException(fault)));
        assertFalse(MappedFaults.isMappedFault(new InternalError("something else")));
    }
}
