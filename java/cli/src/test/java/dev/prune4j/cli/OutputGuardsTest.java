package dev.prune4j.cli;

import static dev.prune4j.cli.HostileInputsTest.assertOneLine;
import static dev.prune4j.cli.HostileInputsTest.entries;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prune4j.testing.Tmpfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs that could only fail at the end, or that would replace or leak a file, are refused at the start. */
class OutputGuardsTest {
    @TempDir
    static Path shared;
    static Path model;

    @BeforeAll
    static void synthesise() {
        model = shared.resolve("tiny");
        CliRun run = CliRun.of("synth", "--model", "tiny", "--layers", "1", "--output", model.toString(),
                "--calibration-tokens", "8");
        assertEquals(0, run.status(), run.toString());
    }

    private static CliRun prune(Path in, Path out, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("prune", "--input", in.toString(), "--output", out.toString(),
                "--sparsity", "0.5", "--engine", "cpu"));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static Path copyOfModel(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.copy(model.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.copy(model.resolve("config.json"), dir.resolve("config.json"));
        return dir;
    }

    @Test
    void aSideFileLinkedOutsideTheModelIsNotCopiedIntoTheOutput(@TempDir Path tmp) throws IOException {
        Path in = copyOfModel(tmp.resolve("in"));
        Path secret = Files.writeString(tmp.resolve("id_ed25519"), "PRIVATE KEY");
        Files.createSymbolicLink(in.resolve("README.md"), secret);
        assertOneLine(prune(in, tmp.resolve("out")), 1, "prune", in.resolve("README.md").toString(),
                secret.toRealPath().toString(), "--follow-symlinks");
        assertFalse(Files.exists(tmp.resolve("out")));
        assertOneLine(CliRun.of("analyze", "--input", in.toString()), 1, "analyze", "symbolic link");

        CliRun followed = prune(in, tmp.resolve("out"), "--follow-symlinks");
        assertEquals(0, followed.status(), followed.toString());
        assertTrue(Files.isRegularFile(tmp.resolve("out").resolve("README.md"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void anOutputThatIsALinkIsRefusedBeforeAnyWork(@TempDir Path tmp) throws IOException {
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), tmp.resolve("nowhere"));
        assertOneLine(prune(model, dangling), 1, "prune", "dangling", "symbolic link");
        Path real = Files.createDirectory(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);
        assertOneLine(prune(model, link), 1, "prune", "symbolic link");
        assertEquals(List.of("dangling", "link", "real"), entries(tmp), "no temporary folder, nothing in real/");
        assertEquals(List.of(), entries(real));
    }

    @Test
    void calibrateNeverOverwritesAModelShardWithoutForce(@TempDir Path tmp) throws IOException {
        Path shard = Files.copy(model.resolve("model.safetensors"), tmp.resolve("model.safetensors"));
        byte[] before = Files.readAllBytes(shard);
        String inputs = model.resolve("calibration/calibration.safetensors").toString();
        assertOneLine(CliRun.of("calibrate", "--inputs", inputs, "--output", shard.toString(), "--engine", "cpu"),
                1, "calibrate", shard.toString(), "exists", "--force");
        assertArrayEquals(before, Files.readAllBytes(shard));
        CliRun forced = CliRun.of("calibrate", "--inputs", inputs, "--output", shard.toString(), "--engine", "cpu", "--force");
        assertEquals(0, forced.status(), forced.toString());
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(shard)));
        assertEquals(List.of("model.safetensors"), entries(tmp));
    }

    @Test
    void aPlotNeverReplacesAFileAFolderOrADevice(@TempDir Path tmp) throws IOException {
        Path png = Files.writeString(tmp.resolve("plot.png"), "mine");
        assertOneLine(CliRun.of("analyze", "--input", model.toString(), "--plot", png.toString()), 1, "analyze",
                "plot.png: exists", "--force");
        assertEquals("mine", Files.readString(png));
        Path folder = Files.createDirectory(tmp.resolve("folder.png"));
        assertOneLine(CliRun.of("analyze", "--input", model.toString(), "--plot", folder.toString(), "--force"), 1,
                "analyze", "is a folder");
        CliRun forced = CliRun.of("analyze", "--input", model.toString(), "--plot", png.toString(), "--force");
        assertEquals(0, forced.status(), forced.toString());
        assertTrue(Files.size(png) > 1000, "a PNG now");
        assertEquals(List.of("folder.png", "plot.png"), entries(tmp));
    }

    @Test
    void aDiskTooSmallForTheOutputIsRefusedWithTheNumbers(@TempDir Path tmp) throws Exception {
        Tmpfs.Result mounted = Tmpfs.mount(tmp.resolve("disk"), 1 << 20);
        assumeTrue(mounted.tmpfs().isPresent(), mounted.whyNot());
        try (Tmpfs disk = mounted.tmpfs().get()) {
            assertOneLine(prune(model, disk.dir().resolve("out")), 1, "prune", "needs ", "MB", "has only", "free");
            assertOneLine(CliRun.of("synth", "--model", "tiny", "--output", disk.dir().resolve("s").toString()), 1,
                    "synth", "needs ", "free");
            assertEquals(List.of(), entries(disk.dir()));
        }
    }

    @Test
    void aShardTheIndexDoesNotListIsNotCopiedUnpruned(@TempDir Path tmp) throws IOException {
        Path in = copyOfModel(tmp.resolve("in"));
        Files.copy(model.resolve("model.safetensors"), in.resolve("consolidated.safetensors"));
        try (var c = dev.prune4j.safetensors.Checkpoint.open(model)) {
            String weightMap = c.tensorNames().stream().map(n -> "\"" + n + "\": \"model.safetensors\"")
                    .collect(java.util.stream.Collectors.joining(", "));
            Files.writeString(in.resolve("model.safetensors.index.json"), "{\"weight_map\": {" + weightMap + "}}");
        }
        CliRun run = prune(in, tmp.resolve("out"));
        assertEquals(0, run.status(), run.toString());
        assertFalse(Files.exists(tmp.resolve("out").resolve("consolidated.safetensors")));
    }

    @Test
    void tooManyLayersIsABadArgumentNotAHeapError(@TempDir Path tmp) {
        assertOneLine(CliRun.of("synth", "--model", "llama-70b", "--layers", "2000000000", "--output",
                tmp.resolve("s").toString()), 2, "synth", "layers must be in [1, 1024]");
    }
}
