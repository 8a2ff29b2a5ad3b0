package dev.prune4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The defects of issue 15 that a command line shows in-process: each run ends with exit 1 or 2 and
 * exactly one line on stderr that names the file, tensor or option, and leaves nothing behind.
 */
class HostileInputsTest {
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

    /** One line on stderr, starting with the command's prefix. */
    static void assertOneLine(CliRun run, int status, String command, String... contains) {
        assertEquals(status, run.status(), run.toString());
        List<String> lines = run.err().lines().toList();
        assertEquals(1, lines.size(), run.toString());
        String line = lines.getFirst();
        assertTrue(line.startsWith("prune4j " + command + ": "), line);
        for (String c : contains) {
            assertTrue(line.contains(c), "'" + c + "' in: " + line);
        }
        assertFalse(line.chars().anyMatch(Character::isISOControl), line);
        assertFalse(line.matches(".*\\bjava\\.[a-z]+\\.[A-Z]\\w*(Exception|Error).*"), line);
    }

    static List<String> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Path weights(Path dir, String name, int cols, float value) throws IOException {
        Files.createDirectories(dir);
        float[] v = new float[4 * cols];
        java.util.Arrays.fill(v, value);
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsWriter.write(dir.resolve("model.safetensors"),
                    List.of(Tensor.ofFloats(arena, name, DType.F32, v, 4, cols)), Map.of());
        }
        return dir;
    }

    @ParameterizedTest
    @ValueSource(strings = {"--sparsity=0.5d", "--sparsity=0x1p-1", "--sparsity=1e999", "--pattern=2:4:", "--pattern=+2:4",
        "--pattern=\u0662:\u0664", "--percdamp=0", "--percdamp=1e39", "--block-size=0x80"})
    void numbersAreParsedStrictly(String option, @TempDir Path tmp) {
        String opt = option.substring(0, option.indexOf('='));
        CliRun run = CliRun.of("prune", "--input", model.toString(), "--output", tmp.resolve("out").toString(),
                option.startsWith("--sparsity") ? option : "--sparsity=0.5", option.startsWith("--sparsity") ? "--engine=cpu" : option,
                "--method=sparsegpt", "--calibration=" + model.resolve("calibration/calibration.safetensors"), "--engine=cpu");
        assertOneLine(run, 2, "prune", opt);
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void aNegativeThresholdIsABadArgument() {
        assertOneLine(CliRun.of("analyze", "--input", model.toString(), "--threshold", "-1"), 2, "analyze", "--threshold");
    }

    @Test
    void aFolderGivenAsAFileIsNamedAsOne() {
        assertOneLine(CliRun.of("calibrate", "--inputs", model.toString(), "--output", shared.resolve("x.st").toString()),
                1, "calibrate", model.toString(), "--inputs is a folder");
        assertOneLine(CliRun.of("prune", "--input", model.toString(), "--output", shared.resolve("x").toString(),
                "--method", "wanda", "--sparsity", "0.5", "--calibration", model.toString(), "--engine", "cpu"),
                1, "prune", "--calibration is a folder");
    }

    @Test
    void anIndexThatIsNotUtf8IsNamed(@TempDir Path tmp) throws IOException {
        Path dir = weights(tmp.resolve("m"), "w.weight", 4, 1);
        Files.write(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"w\u00ff\": \"model.safetensors\"}}".getBytes(StandardCharsets.ISO_8859_1));
        assertOneLine(CliRun.of("analyze", "--input", dir.toString()), 1, "analyze", "model.safetensors.index.json",
                "not valid UTF-8", "offset 18");
    }

    @Test
    void checkpointsWithNothingInCommonAreAnErrorNotDistanceZero(@TempDir Path tmp) throws IOException {
        Path other = weights(tmp.resolve("other"), "something.else", 4, 1);
        CliRun run = CliRun.of("compare", "--a", model.toString(), "--b", other.toString());
        assertOneLine(run, 1, "compare", "no tensor in common");
        assertEquals("", run.out());
    }

    @Test
    void anIncludeRegexThatOverflowsTheStackNamesTheOptionAndTheTensor(@TempDir Path tmp) throws IOException {
        Path dir = weights(tmp.resolve("m"), "a".repeat(30_000) + ".weight", 4, 1);
        assertOneLine(CliRun.of("prune", "--input", dir.toString(), "--output", tmp.resolve("out").toString(),
                "--sparsity", "0.5", "--include", "(a|b)*\\.weight", "--engine", "cpu"), 1, "prune",
                "--include", "overflows the stack on tensor 'aaa", "30007 characters");
        assertEquals(List.of("m"), entries(tmp));
    }

    @Test
    void hugeFiniteInputsAreAnErrorNamingThemNotAnInfMaskOrFile(@TempDir Path tmp) throws IOException {
        Path dir = weights(tmp.resolve("m"), "l.weight", 4, 0.5f);
        Path calibration = tmp.resolve("calibration.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            float[] x = new float[8];
            java.util.Arrays.fill(x, 3e38f);
            SafeTensorsWriter.write(calibration, List.of(Tensor.ofFloats(arena, "l.weight.inputs", DType.F32, x, 2, 4)),
                    Map.of());
        }
        for (String method : List.of("wanda", "sparsegpt")) {
            assertOneLine(CliRun.of("prune", "--input", dir.toString(), "--output", tmp.resolve("out").toString(),
                    "--sparsity", "0.5", "--method", method, "--calibration", calibration.toString(), "--include", ".*",
                    "--engine", "cpu"), 1, "prune", "inputs 'l.weight.inputs'", "Infinity");
        }
        assertOneLine(CliRun.of("calibrate", "--inputs", calibration.toString(), "--output",
                tmp.resolve("reduced.safetensors").toString(), "--engine", "cpu"), 1, "calibrate", "'l.weight.inputs'");
        assertEquals(List.of("calibration.safetensors", "m"), entries(tmp));
    }

    @Test
    void tensorNamesWithControlCharactersReachStderrEscaped(@TempDir Path tmp) throws IOException {
        Path dir = weights(tmp.resolve("m"), "evil\n\u001b[2Jname.weight", 4, 1);
        CliRun run = CliRun.of("prune", "--input", dir.toString(), "--output", tmp.resolve("out").toString(),
                "--sparsity", "0.5", "--method", "wanda", "--calibration",
                model.resolve("calibration/calibration.safetensors").toString(), "--include", "(?s).*", "--engine", "cpu");
        assertOneLine(run, 1, "prune", "evil\\n\\x1b[2Jname.weight");
        CliRun table = CliRun.of("analyze", "--input", dir.toString());
        assertEquals(0, table.status(), table.toString());
        assertFalse(table.out().contains("\u001b"), table.out());
    }
}
