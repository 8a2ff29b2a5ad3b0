package dev.prune4j.safetensors;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.prune4j.io.TemporaryFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Fuzz target: {@code model.safetensors.index.json} from arbitrary bytes, opened as a checkpoint
 * folder that also holds two valid shards ({@code model-00001-of-00002.safetensors} with tensor
 * {@code a}, {@code model-00002-of-00002.safetensors} with {@code b}) and a {@code config.json}.
 * The only acceptable failure is a {@link SafeTensorsException} naming a file of the folder.
 */
class IndexFuzzTest {
    /** Held so that its level sticks: the warning for an unlisted shard would print on every run. */
    private static final Logger CHECKPOINT_LOG = Logger.getLogger(Checkpoint.class.getName());
    private static final Path DIR = folder();

    private static Path folder() {
        CHECKPOINT_LOG.setLevel(Level.SEVERE);
        try {
            Path dir = Files.createTempDirectory("prune4j-fuzz-index-");
            TemporaryFiles.register(dir); // removed when the JVM ends
            try (Arena arena = Arena.ofConfined()) {
                SafeTensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), List.of(
                        dev.prune4j.tensor.Tensor.ofFloats(arena, "a", dev.prune4j.tensor.DType.F32, new float[] {1, 2}, 2)),
                        Map.of());
                SafeTensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), List.of(
                        dev.prune4j.tensor.Tensor.ofFloats(arena, "b", dev.prune4j.tensor.DType.F16, new float[] {3}, 1)),
                        Map.of());
            }
            Files.writeString(dir.resolve("config.json"), "{}");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DictionaryEntries({"\"weight_map\"", "\"metadata\"", "\"a\"", "\"b\"", "\"model-00001-of-00002.safetensors\"",
        "\"model-00002-of-00002.safetensors\"", "\"config.json\"", "\"..\"", "../", "\\u", "null", "{\"", "\":"})
    @FuzzTest(maxDuration = "10s")
    void index(byte[] bytes) throws IOException {
        Files.write(DIR.resolve(Checkpoint.INDEX_FILE), bytes);
        try (Checkpoint c = Checkpoint.open(DIR)) {
            for (String name : c.tensorNames()) {
                if (!c.fileOf(name).getParent().equals(DIR)) {
                    throw new AssertionError(name + " is read from outside the folder: " + c.fileOf(name));
                }
                c.tensor(name).data().byteSize();
            }
        } catch (SafeTensorsException expected) {
            FuzzFindings.requireNamesTheFile(expected, DIR);
        }
    }
}
