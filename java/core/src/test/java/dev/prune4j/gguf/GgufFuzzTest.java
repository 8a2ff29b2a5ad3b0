package dev.prune4j.gguf;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Fuzz target: a whole GGUF file (header, metadata, tensor infos, data) from arbitrary bytes. The
 * only acceptable failure is a {@link GgufException} of one line that starts with the file's
 * name; anything else thrown, and any hang, is a finding. A file that opens must give views that
 * lie inside it and dequantise every tensor it says it can. The committed corpus
 * ({@code GgufFuzzTestInputs/}) runs with every build; see the core pom for the bounded fuzzing run.
 */
class GgufFuzzTest {
    private static final Path NAME = Path.of("fuzz.gguf");
    /** Dequantising is checked on small tensors only: a valid huge one is not a finding, just slow. */
    private static final long MAX_CHECKED_ELEMENTS = 1 << 16;

    @DictionaryEntries({"GGUF", "general.alignment", "general.architecture", "llama", "tokenizer.ggml.tokens"})
    @FuzzTest(maxDuration = "10s")
    void file(byte[] bytes) {
        // Mapped files are native memory: fuzz the same kind, aligned as a mapping is.
        Arena arena = Arena.ofShared();
        MemorySegment file = arena.allocate(Math.max(1, bytes.length), 8).asSlice(0, bytes.length);
        MemorySegment.copy(bytes, 0, file, ValueLayout.JAVA_BYTE, 0, bytes.length);
        try (GgufFile f = GgufFile.of(NAME, arena, file)) {
            f.metadata().asMap().size();
            for (GgufTensorInfo t : f.tensors()) {
                MemorySegment view = f.bytes(t.name());
                if (view.byteSize() != t.bytes()) {
                    throw new AssertionError(t + ": a view of " + view.byteSize() + " bytes");
                }
                if (view.byteSize() > 0) {
                    view.get(ValueLayout.JAVA_BYTE, 0);
                    view.get(ValueLayout.JAVA_BYTE, view.byteSize() - 1);
                }
                if (t.type().dequantizable() && t.numel() <= MAX_CHECKED_ELEMENTS) {
                    f.toFloatArray(t.name());
                }
            }
        } catch (GgufException expected) {
            String m = expected.getMessage();
            if (m == null || !m.startsWith(NAME.toString()) || m.contains("\n")) {
                throw new AssertionError("not a clean error: " + m, expected);
            }
        } finally {
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }
}
