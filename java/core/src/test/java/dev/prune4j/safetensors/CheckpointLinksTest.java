package dev.prune4j.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Links in a model folder are followed only inside it or its Hugging Face cache repository. */
class CheckpointLinksTest {
    @TempDir
    Path tmp;

    private static void model(Path file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(file, List.of(Tensor.ofFloats(arena, "w.weight", DType.F32,
                    new float[] {1, -2, 3, -4}, 2, 2)), Map.of());
        }
    }

    @Test
    void aSideFileLinkedOutsideIsRefusedNamingLinkAndTarget() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("model"));
        model(dir.resolve("model.safetensors"));
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "not yours");
        Path readme = Files.createSymbolicLink(dir.resolve("README.md"), secret);
        var e = assertThrows(Links.OutsideLinkException.class, () -> Checkpoint.open(dir));
        assertEquals(readme, e.link());
        assertEquals(secret.toRealPath(), e.target());
        assertTrue(e.getMessage().startsWith(readme + ": is a symbolic link to " + secret.toRealPath()), e.getMessage());
        try (Checkpoint c = Checkpoint.open(dir, Links.ANY)) {
            assertEquals(List.of(readme), c.otherFiles(), "followed when the user says so");
        }
    }

    @Test
    void aShardLinkedToAnotherModelIsRefused() throws IOException {
        Path other = Files.createDirectory(tmp.resolve("other"));
        model(other.resolve("model.safetensors"));
        Path dir = Files.createDirectory(tmp.resolve("model"));
        Files.createSymbolicLink(dir.resolve("model.safetensors"), other.resolve("model.safetensors"));
        assertThrows(Links.OutsideLinkException.class, () -> Checkpoint.open(dir));
    }

    @Test
    void linksInsideTheFolderAndDanglingLinksAreFine() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("model"));
        Files.createDirectory(dir.resolve("weights"));
        model(dir.resolve("weights").resolve("real.safetensors"));
        Files.createSymbolicLink(dir.resolve("model.safetensors"), Path.of("weights/real.safetensors"));
        Files.createSymbolicLink(dir.resolve("tokenizer.json"), tmp.resolve("gone.json"));
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertEquals(List.of(dir.resolve("model.safetensors")), c.files());
            assertEquals(List.of(), c.otherFiles(), "a dangling link names no file");
        }
    }

    @Test
    void theHuggingFaceCacheLayoutWorksAndIsCopiedAsRegularFiles() throws IOException {
        Path repo = tmp.resolve("hub").resolve("models--org--tiny");
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve("0123abcd"));
        model(blobs.resolve("5f1e0c"));
        Files.writeString(blobs.resolve("9a8b7c"), "{\"model_type\":\"llama\"}");
        Files.createSymbolicLink(snapshot.resolve("model.safetensors"), Path.of("../../blobs/5f1e0c"));
        Files.createSymbolicLink(snapshot.resolve("config.json"), Path.of("../../blobs/9a8b7c"));
        // A user's own link to the snapshot folder is resolved first.
        Path alias = Files.createSymbolicLink(tmp.resolve("my-model"), snapshot);
        Path out = tmp.resolve("copy");
        try (Checkpoint c = Checkpoint.open(alias)) {
            assertEquals(1, c.files().size());
            CheckpointWriter.write(c, out, CheckpointWriter.copyFrom(c));
        }
        for (String f : List.of("model.safetensors", "config.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f), LinkOption.NOFOLLOW_LINKS), f + " is a file, not a link");
        }
        assertEquals("{\"model_type\":\"llama\"}", Files.readString(out.resolve("config.json")));

        // The blobs of another repository are outside.
        Path foreign = Files.createDirectories(tmp.resolve("hub").resolve("models--evil--x").resolve("blobs"));
        Files.writeString(foreign.resolve("aa"), "x");
        Files.createSymbolicLink(snapshot.resolve("README.md"), foreign.resolve("aa"));
        assertThrows(Links.OutsideLinkException.class, () -> Checkpoint.open(snapshot));
    }

    @Test
    void theCacheRepositoryIsFoundFromAnySnapshotFolder() {
        Path repo = Path.of("/c/hub/models--a--b");
        assertEquals(repo.resolve("blobs"), Links.huggingFaceBlobs(repo.resolve("snapshots/rev")).orElseThrow());
        assertEquals(repo.resolve("blobs"), Links.huggingFaceBlobs(repo.resolve("snapshots/rev/text_encoder")).orElseThrow());
        assertFalse(Links.huggingFaceBlobs(Path.of("/c/hub/other/snapshots/rev")).isPresent());
        assertFalse(Links.huggingFaceBlobs(Path.of("/models/llama")).isPresent());
    }
}
