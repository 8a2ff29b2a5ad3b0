package dev.prune4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.bench.report.JsonFormat;
import dev.prune4j.bench.report.JsonLines;
import dev.prune4j.bench.timing.HostBandwidth;
import dev.prune4j.bench.timing.PairedTimer;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One paired case on the CPU, read back from its JSON lines: what the report's byte limit rests on. */
class LinearPairsBenchTest {
    @TempDir
    Path dir;

    @AfterEach
    void release() {
        BenchWeights.release();
    }

    @Test
    @SuppressWarnings("unchecked")
    void a_cpu_case_takes_its_byte_limit_from_the_reads_around_it() throws Exception {
        Path file = dir.resolve("linear.jsonl");
        JsonLines lines = new JsonLines(file, "prune4j-gemm/1");
        try (CpuEngine cpu = new CpuEngine(1)) {
            LinearPairsBench bench = new LinearPairsBench(cpu, lines,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), 4 * HostBandwidth.MIN_BYTES);
            bench.device();
            bench.measure("8x64", DType.F32, 1, new PairedTimer.Settings(0, 0, 1, 3));
        }
        List<String> text = Files.readAllLines(file);
        assertEquals(2, text.size(), String.join("\n", text));
        Map<String, Object> row = (Map<String, Object>) JsonFormat.parse(text.get(1));
        assertEquals("case", row.get("kind"));
        assertNull(row.get("error"), text.get(1));
        List<?> before = (List<?>) row.get("bandwidth_read_before_s");
        List<?> after = (List<?>) row.get("bandwidth_read_after_s");
        assertEquals(8, before.size());
        assertEquals(8, after.size());
        // The case's bandwidth is the fastest of the run's read and the reads around the case.
        double fastest = Double.MAX_VALUE;
        for (Object s : before) {
            fastest = Math.min(fastest, ((Number) s).doubleValue());
        }
        for (Object s : after) {
            fastest = Math.min(fastest, ((Number) s).doubleValue());
        }
        double run = ((Number) row.get("bandwidth_run_gbs")).doubleValue();
        double gbs = ((Number) row.get("bandwidth_gbs")).doubleValue();
        double expected = Math.max(run, 4 * HostBandwidth.MIN_BYTES / fastest / 1e9);
        assertEquals(expected, gbs, 0.01 + expected * 0.001, text.get(1));
        // The limit is the call's bytes at the case's own bandwidth.
        double limit = ((Number) row.get("bytes_dense")).doubleValue() / (gbs * 1e9) * 1e3;
        assertEquals(limit, ((Number) row.get("limit_dense_ms")).doubleValue(), limit * 0.01);
    }
}
