package dev.prune4j.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.io.AtomicFiles.Existing;
import dev.prune4j.safetensors.SafeTensorsHeader;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.safetensors.TensorSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reduced file never replaces a file unless asked, and never holds Inf. */
class CalibrationReducerOutputTest {
    @TempDir
    Path tmp;

    private Path inputs(float value) throws IOException {
        Path file = tmp.resolve("inputs.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(file, List.of(Tensor.ofFloats(arena, "w.inputs", DType.F32,
                    new float[] {value, 1, 2, value}, 2, 2)), Map.of());
        }
        return file;
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anExistingFileIsKeptUnlessReplacingIsAsked() throws IOException {
        Path in = inputs(1);
        Path shard = Files.writeString(tmp.resolve("model.safetensors"), "a model shard");
        try (CpuEngine engine = new CpuEngine(1)) {
            assertThrows(FileAlreadyExistsException.class,
                    () -> CalibrationReducer.reduce(engine, in, shard, Existing.REFUSE));
            assertEquals("a model shard", Files.readString(shard));
            assertEquals(List.of("w"), CalibrationReducer.reduce(engine, in, shard, Existing.REPLACE));
        }
    }

    @Test
    void inputsOfNoTokensButAHugeWidthAreNamedNotALongOverflow() throws IOException {
        // [0, 2^32] holds no byte, but a Hessian declared from it would have 2^64 elements.
        byte[] header = SafeTensorsHeader.layout(List.of(new TensorSpec("w.inputs", DType.F32, new long[] {0, 1L << 32})),
                Map.of()).encode();
        Path in = tmp.resolve("inputs.safetensors");
        Files.write(in, ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).array());
        try (CpuEngine engine = new CpuEngine(1)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> CalibrationReducer.reduce(engine, in, tmp.resolve("out.safetensors"), Existing.REFUSE));
            assertEquals(in + ": tensor 'w.inputs' has shape [0, 4294967296]; expected [tokens > 0, 0 < in <= 46000]",
                    e.getMessage());
        }
    }

    @Test
    void inputsThatOverflowLeaveNoFile() throws IOException {
        Path in = inputs(3e38f);
        Path out = tmp.resolve("reduced.safetensors");
        try (CpuEngine engine = new CpuEngine(1)) {
            assertThrows(IllegalArgumentException.class, () -> CalibrationReducer.reduce(engine, in, out, Existing.REFUSE));
        }
        assertEquals(List.of("inputs.safetensors"), names());
    }
}
