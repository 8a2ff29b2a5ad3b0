package dev.prune4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.bench.report.JsonFormat;
import dev.prune4j.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GpuGemmBench without a GPU: its options, and the lines a dry run (or a machine without a device) writes. */
class GpuGemmBenchTest {
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    private int run(String... args) {
        return GpuGemmBench.run(args, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private static List<Map<?, ?>> lines(Path f) throws Exception {
        return Files.readAllLines(f).stream().<Map<?, ?>>map(l -> {
            try {
                return (Map<?, ?>) JsonFormat.parse(l);
            } catch (Exception e) {
                throw new AssertionError("not a JSON object: " + l, e);
            }
        }).toList();
    }

    @Test
    void defaultsAreTheIssuesTokenCountsBothDtypesAndEveryShape(@TempDir Path dir) {
        GpuGemmBench.Options o = GpuGemmBench.Options.parse(new String[] {"--output", dir.resolve("g.jsonl").toString()});
        assertEquals(List.of(1, 16, 2048, 8192), o.tokens());
        assertEquals(List.of(DType.F16, DType.BF16), o.dtypes(), "F16 first: cases run in order of value");
        assertEquals(10, o.shapes().size());
        assertEquals(80, o.cases());
        assertTrue(o.warmupMs() >= 1000, "at least a second of warm-up: clocks ramp up");
        assertTrue(o.flushL2() && o.tune());
        GpuGemmBench.Options narrow = GpuGemmBench.Options.parse(new String[] {"--output", "x.jsonl", "--tokens", "1,16",
            "--dtypes", "bf16", "--shapes", "1024x8192", "--no-flush-l2", "--no-tune", "--warmup-ms", "2000"});
        assertEquals(2, narrow.cases());
        assertFalse(narrow.flushL2() || narrow.tune());
        assertEquals(2000, narrow.warmupMs());
    }

    @Test
    void badArgumentsNameTheOption() {
        assertEquals(2, run("--tokens", "1,16"));
        assertTrue(log.toString().contains("--output"), log.toString());
        assertThrows(IllegalArgumentException.class, () -> GpuGemmBench.Options.parse(new String[] {"--output", "x",
            "--tokens", "0"}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GpuGemmBench.Options.parse(new String[] {"--output", "x", "--dtypes", "F32"}));
        assertTrue(e.getMessage().contains("F32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GpuGemmBench.Options.parse(new String[] {"--output", "x",
            "--shapes", "4096by4096"}));
        assertThrows(IllegalArgumentException.class, () -> GpuGemmBench.Options.parse(new String[] {"--output", "x",
            "--frobnicate", "1"}));
    }

    @Test
    void aDryRunWritesItsHeaderDeviceAndEndLines(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("gemm.jsonl");
        assertEquals(0, run("--output", f.toString(), "--dry-run", "--tokens", "1,16"), log.toString());
        List<Map<?, ?>> lines = lines(f);
        assertEquals(List.of("header", "device", "end"), lines.stream().map(l -> l.get("kind")).toList());
        lines.forEach(l -> assertEquals("prune4j-gemm/1", l.get("format")));
        assertEquals(40, ((Number) lines.get(0).get("cases_planned")).intValue());
        assertEquals(Boolean.TRUE, lines.get(0).get("dry_run"));
        Map<?, ?> device = lines.get(1);
        assertTrue(device.get("available") instanceof Boolean);
        if (Boolean.FALSE.equals(device.get("available"))) {
            assertTrue(String.valueOf(device.get("reason")).length() > 10, "says why: " + device);
        }
        assertTrue(String.valueOf(device.get("cusparselt")).contains("cuSPARSELt"), device.toString());
    }

    @Test
    void withoutADeviceARealRunEndsAtOnceSayingWhy(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("gemm.jsonl");
        int status = run("--output", f.toString(), "--tokens", "1", "--dtypes", "F16", "--shapes", "1024x8192",
                "--warmup-ms", "1");
        List<Map<?, ?>> lines = lines(f);
        if (status == 3) {
            assertEquals(List.of("header", "device", "end"), lines.stream().map(l -> l.get("kind")).toList());
            assertEquals("no usable CUDA device", lines.get(2).get("stopped"));
        } else {
            assertEquals(0, status, log.toString()); // a machine with a GPU: one case measured
            assertEquals("case", lines.get(2).get("kind"), lines.toString());
        }
    }
}
