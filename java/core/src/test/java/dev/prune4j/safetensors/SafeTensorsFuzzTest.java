package dev.prune4j.safetensors;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Fuzz target: a whole safetensors file (length prefix, JSON header, data) from arbitrary bytes.
 * The only acceptable failure is a {@link SafeTensorsException} (it names the file); anything else
 * thrown, and any hang, is a finding. A file that opens must hand out views that lie inside it.
 * The committed corpus ({@code SafeTensorsFuzzTestInputs/}) runs with every build; see the core
 * pom for the bounded fuzzing run.
 */
class SafeTensorsFuzzTest {
    private static final Path NAME = Path.of("fuzz.safetensors");

    @DictionaryEntries({"\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"__metadata__\"", "\"F32\"", "\"F16\"",
        "\"BF16\"", "\"I64\"", "\"U8\"", "\"BOOL\"", "\"F8_E4M3\"", "\"F4\"", "\\u", "null", "[0,", "],", "{\"", "\":"})
    @FuzzTest(maxDuration = "10s")
    void header(byte[] bytes) {
        // Mapped files are native memory: fuzz the same kind, aligned as a mapping is.
        Arena arena = Arena.ofShared();
        MemorySegment file = arena.allocate(Math.max(1, bytes.length), 8).asSlice(0, bytes.length);
        MemorySegment.copy(bytes, 0, file, ValueLayout.JAVA_BYTE, 0, bytes.length);
        try (SafeTensorsFile f = SafeTensorsFile.of(NAME, arena, file)) {
            long data = f.dataSize();
            for (TensorInfo t : f.tensors()) {
                if (t.begin() < 0 || t.end() > data || t.byteSize() != t.end() - t.begin()) {
                    throw new AssertionError(t + " lies outside the data of " + data + " bytes");
                }
                var view = f.tensor(t.name()).data();
                if (view.byteSize() > 0) {
                    view.get(ValueLayout.JAVA_BYTE, 0);
                    view.get(ValueLayout.JAVA_BYTE, view.byteSize() - 1);
                }
            }
            f.metadata().size();
        } catch (SafeTensorsException expected) {
            FuzzFindings.requireNamesTheFile(expected, NAME);
        } finally {
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }
}
