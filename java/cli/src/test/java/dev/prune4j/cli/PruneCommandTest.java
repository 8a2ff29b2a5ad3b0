package dev.prune4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.checkpoint.PruneReport;
import dev.prune4j.checkpoint.MaskFile;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.PruneCount;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code synth}, then {@code prune}, then {@code analyze}, as a user runs them from the shell. */
class PruneCommandTest {
    @TempDir
    static Path shared;

    static Path dense;

    @BeforeAll
    static void synthesise() {
        dense = shared.resolve("dense");
        CliRun run = CliRun.of("synth", "--model", "tiny", "--layers", "2", "--dtype", "bf16", "--output", dense.toString());
        assertEquals(0, run.status(), run.toString());
    }

    @ParameterizedTest
    @CsvSource({"--sparsity,0.5,global", "--sparsity,0.9,tensor", "--sparsity,0.3,row", "--pattern,2:4,", "--pattern,4:8,"})
    void pruneThenAnalyzeReportsTheRequestedSparsity(String option, String value, String scope, @TempDir Path tmp)
            throws Exception {
        Map<String, String> before = digests(dense);
        Path out = tmp.resolve("pruned");
        CliRun run = scope == null
                ? CliRun.of("prune", "--input", dense.toString(), "--output", out.toString(), "--method", "magnitude",
                        option, value, "--engine", "cpu")
                : CliRun.of("prune", "--input", dense.toString(), "--output", out.toString(), "--method", "magnitude",
                        option, value, "--scope", scope, "--engine", "cpu");
        assertEquals(0, run.status(), run.toString());
        assertEquals(before, digests(dense), "the input folder is byte-identical afterwards");

        CliRun analyze = CliRun.of("analyze", "--input", out.toString(), "--format", "json");
        assertEquals(0, analyze.status(), analyze.toString());
        Map<String, Object> report = JsonText.object(analyze.out());

        try (Checkpoint in = Checkpoint.open(dense);
             Checkpoint pruned = Checkpoint.open(out);
             SafeTensorsFile masks = SafeTensorsFile.open(out.resolve(MaskFile.PATH))) {
            assertEquals(in.tensorNames(), pruned.tensorNames());
            assertTrue(Files.exists(out.resolve("config.json")), "config files are copied");
            long selected = 0;
            long zeros = 0;
            for (String name : in.tensorNames()) {
                Tensor t = pruned.tensor(name);
                boolean linear = name.endsWith("_proj.weight");
                assertEquals(linear, masks.contains(name), name);
                long z = countZeros(t);
                if (!linear) {
                    assertEquals(countZeros(in.tensor(name)), z, name + " is copied unchanged");
                    continue;
                }
                Mask keep = Mask.fromSegment(masks.tensor(name).data(), t.shape());
                assertEquals(keep.prunedCount(), countPrunedAndZero(t, keep), name + ": every pruned weight is zero");
                selected += t.numel();
                zeros += keep.prunedCount();
                if (option.equals("--pattern")) {
                    int m = Integer.parseInt(value.split(":")[1]);
                    int n = Integer.parseInt(value.split(":")[0]);
                    assertEquals(t.numel() / m * (m - n), keep.prunedCount(), name);
                } else if (scope.equals("tensor")) {
                    assertEquals(PruneCount.of(Double.parseDouble(value), t.numel()), keep.prunedCount(), name);
                } else if (scope.equals("row")) {
                    assertEquals(t.rows() * PruneCount.of(Double.parseDouble(value), t.cols()), keep.prunedCount(), name);
                }
            }
            if ("global".equals(scope)) {
                assertEquals(PruneCount.of(0.5, selected), zeros, "global: exactly floor(r * n) over all linear layers");
            }
            assertTrue(report.containsKey("overall"), analyze.out());
        }
    }

    @Test
    void aTruncatedInputFailsWithAClearErrorAndNoOutputFolder(@TempDir Path tmp) throws Exception {
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Path file = dense.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(broken.resolve("model.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("prune", "--input", broken.toString(), "--output", out.toString(), "--sparsity", "0.5");
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("model.safetensors"), run.err());
        assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
        assertFalse(Files.exists(out), "no output folder");
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(broken), left.toList(), "no temporary folder left behind");
        }
    }

    @Test
    void refusesANonEmptyOutputFolder(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("keep.txt"), "precious");
        CliRun run = CliRun.of("prune", "--input", dense.toString(), "--output", tmp.toString(), "--sparsity", "0.5");
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains("not empty"), run.err());
        assertEquals("precious", Files.readString(tmp.resolve("keep.txt")));
    }

    @Test
    void anIncludePatternThatMatchesNothingIsAnError(@TempDir Path tmp) {
        CliRun run = CliRun.of("prune", "--input", dense.toString(), "--output", tmp.resolve("o").toString(),
                "--sparsity", "0.5", "--include", ".*nothing.*");
        assertEquals(1, run.status(), run.toString());
        assertTrue(run.err().contains(".*nothing.*"), run.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "prune --input x --output y --sparsity 0.5 --pattern 2:4|exactly one of --sparsity and --pattern",
        "prune --input x --output y --sparsity 1.5|sparsity must be in [0, 1]",
        "prune --input x --output y --pattern 2-4|pattern must look like N:M",
        "prune --input x --output y --sparsity 0.5 --scope layer|unknown scope 'layer'",
        "prune --input x --output y --sparsity 0.5 --engine tpu|unknown engine 'tpu'",
        "prune --input x --sparsity 0.5|Missing required option: '--output",
        "prune --input x --output y --sparsity 0.5 --frobnicate|Unknown option: '--frobnicate'",
        "synth --model llama-9b --output y|unknown model 'llama-9b'",
        "synth --model tiny --dtype f8 --output y|unknown dtype 'f8'",
    })
    void badArgumentsExitWithStatusTwoAndOneLine(String line, String expected) {
        CliRun run = CliRun.of(line.split(" "));
        assertEquals(2, run.status(), run.toString());
        assertTrue(run.err().contains(expected), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
    }

    @Test
    void shardedCheckpointsKeepTheirShardLayout(@TempDir Path tmp) throws Exception {
        Path sharded = tmp.resolve("sharded");
        assertEquals(0, CliRun.of("synth", "--model", "tiny", "--output", sharded.toString(), "--shard-size", "1500000").status());
        assertTrue(Files.exists(sharded.resolve(Checkpoint.INDEX_FILE)));
        Path out = tmp.resolve("out");
        CliRun run = CliRun.of("prune", "--input", sharded.toString(), "--output", out.toString(), "--pattern", "2:4");
        assertEquals(0, run.status(), run.toString());
        try (Stream<Path> a = Files.list(sharded); Stream<Path> b = Files.list(out)) {
            List<String> in = a.map(p -> p.getFileName().toString()).sorted().toList();
            List<String> outNames = b.map(p -> p.getFileName().toString()).filter(n -> !n.equals("prune4j")).sorted().toList();
            assertEquals(in, outNames);
        }
    }

    private static long countZeros(Tensor t) {
        long z = 0;
        for (long i = 0; i < t.numel(); i++) {
            z += t.getFloat(i) == 0f ? 1 : 0;
        }
        return z;
    }

    private static long countPrunedAndZero(Tensor t, Mask keep) {
        long n = 0;
        for (long i = 0; i < t.numel(); i++) {
            if (!keep.isKept(i) && t.getFloat(i) == 0f) {
                n++;
            }
        }
        return n;
    }

    static Map<String, String> digests(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                try {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    out.put(dir.relativize(f).toString(), HexFormat.of().formatHex(md.digest(Files.readAllBytes(f))));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }
}
