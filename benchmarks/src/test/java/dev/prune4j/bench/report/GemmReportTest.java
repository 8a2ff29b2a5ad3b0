package dev.prune4j.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paired GEMM cases and PyTorch's JSON lines into the report: {@code gpu-gemm-handwritten.jsonl}
 * and {@code torch-handwritten.jsonl} are written by hand in the layouts GpuGemmBench and
 * torch_linear_bench.py write (no GPU was at hand to record them); expected values come from the
 * numbers in them. Also files cut off by a timeout, and files that are not results.
 */
class GemmReportTest {
    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(GemmReportTest.class.getResource(name).toURI());
    }

    private static BenchResults both() throws Exception {
        return ResultReader.read(List.of(fixture("gpu-gemm-handwritten.jsonl"), fixture("torch-handwritten.jsonl")));
    }

    private static GemmResult caseAt(BenchResults r, String dtype, int tokens) {
        return r.gemm().stream().filter(g -> g.dtype().equals(dtype) && g.tokens() == tokens && g.error() == null)
                .findFirst().orElseThrow();
    }

    @Test
    void casesKeepKernelAndWallTimesAndTheByteLimit() throws Exception {
        BenchResults r = both();
        assertEquals(5, r.gemm().size(), "four cases and one that failed");
        GemmResult decode = caseAt(r, "F16", 1);
        assertTrue(decode.hasKernelTimes());
        assertEquals(0.0095 / 0.0062, decode.speedup(), 1e-9, "the headline is the kernel time");
        assertEquals(0.031 / 0.028, decode.wallSpeedup(), 1e-9);
        assertEquals(16.0 / 9, decode.limitSpeedup(), 2e-3);
        assertEquals(decode.bytesDense() / 4.4e12 * 1e3, decode.limitDenseMs(), 1e-12);
        assertEquals("DECODE", decode.sparseBackend());
        assertEquals(3, decode.copies());
        assertTrue(decode.flushL2());
        assertFalse(GemmTable.aboveLimit(decode));
        assertTrue(GemmTable.aboveLimit(caseAt(r, "F16", 16)), "2.2x at 16 tokens is above 1.78x: a cached weight");
        assertFalse(GemmTable.aboveLimit(caseAt(r, "F16", 2048)), "large token counts are not memory-bound");
        // A compute-bound dense call (3x its byte limit, as on two busy CPU cores) may lose by more than 16/9.
        long dense = 2L * (4096 * 4096 + 8192);
        long sparse = 2L * (4096 * 2048 + 8192) + 4096L * 512;
        GemmResult cpu = new GemmResult("cpu", null, "4096x4096", 1, "F16", "cpu", Double.NaN, Double.NaN, 9.56, 5.24,
                dense, sparse, 10.0, 2, false, null, "x");
        assertTrue(cpu.speedup() > cpu.limitSpeedup() && cpu.denseMs() > 2 * cpu.limitDenseMs());
        assertFalse(GemmTable.aboveLimit(cpu));
        assertEquals(9 - 1, r.linear().size(), "PyTorch's results, less the one that failed");
    }

    @Test
    void cpuPyTorchLinesGoToTheCpuTableWithBandwidthShares(@TempDir Path dir) throws Exception {
        // What LinearPairsBench and torch_linear_bench.py --device cpu write on the 2-core machine.
        long dense = 2L * (4096L * 11008 + (4096 + 11008));
        long sparse = 2L * (4096L * 5504 + (4096 + 11008)) + 4096L * 1376;
        Path pairs = dir.resolve("linear-pairs.jsonl");
        Files.writeString(pairs, "{\"format\": \"prune4j-gemm/1\", \"kind\": \"case\", \"device\": \"cpu\", "
                + "\"shape\": \"4096x11008\", \"tokens\": 1, \"dtype\": \"BF16\", \"sparse_backend\": \"cpu\", "
                + "\"dense_wall_ms\": 3.0, \"sparse_wall_ms\": 2.0, \"bytes_dense\": " + dense + ", \"bytes_sparse\": "
                + sparse + ", \"bandwidth_gbs\": 30.0, \"copies\": 1}\n");
        Path torch = dir.resolve("torch-cpu.jsonl");
        Files.writeString(torch, "{\"format\": \"prune4j-torch-linear/2\", \"kind\": \"header\", \"machine\": "
                + "{\"engine\": \"torch-cpu\", \"engine_description\": \"torch 2.15.0 (CPU, 2 threads)\", "
                + "\"bandwidth_gbs\": 21.5, \"bandwidth_note\": \"fastest of 7 torch sums\"}}\n"
                + "{\"format\": \"prune4j-torch-linear/2\", \"kind\": \"result\", \"device\": \"cpu\", \"shape\": "
                + "\"4096x11008\", \"tokens\": 1, \"dtype\": \"BF16\", \"impl\": \"dense\", \"ms\": 3.3, "
                + "\"error\": null}\n{\"format\": \"prune4j-torch-linear/2\", \"kind\": \"end\", \"cases\": 1, "
                + "\"load_after\": [3.5, 2.0, 1.0]}\n");
        BenchResults r = ResultReader.read(List.of(pairs, torch));
        assertEquals("cpu", r.linear().get(0).device(), "a line with device cpu is a CPU result");
        GemmResult c = r.gemm().get(0);
        LinearResult t = GemmTable.torchBest(r.linear(), c.row());
        assertEquals(3.3, t.ms(), 1e-12);
        ReportWriter.write(r, List.of(), dir);
        String md = Files.readString(dir.resolve(ReportWriter.REPORT));
        assertTrue(md.contains("| Dense % of bandwidth | 2:4 % of bandwidth | PyTorch dense ms | Dense vs PyTorch | "
                + "2:4 vs PyTorch |"), md);
        String densePct = GemmTable.percent(dense / 30e9 * 1e3 / 3.0);
        String sparsePct = GemmTable.percent(sparse / 30e9 * 1e3 / 2.0);
        assertTrue(md.contains("| " + densePct + " | " + sparsePct + " | " + MarkdownReport.number(3.3) + " | " + MarkdownReport.speedup(1.1) + " | "
                + MarkdownReport.speedup(1.65) + " |"), md);
        assertTrue(md.contains("read bandwidth 21.5 GB/s (fastest of 7 torch sums)"), md);
        assertTrue(md.contains("after: 3.50 / 2.00 / 1.00"), md);
        assertFalse(md.contains("Torch CUTLASS 2:4 ms"), "no second table of PyTorch alone on the CPU: " + md);
        assertEquals("50 %", GemmTable.percent(0.5));
        assertEquals("-", GemmTable.percent(Double.NaN));
    }

    @Test
    void pytorchsBestBackendIsTheFastestOfItsThree() throws Exception {
        BenchResults r = both();
        LinearResult best1 = GemmTable.torchBest(r.linear(), caseAt(r, "F16", 1).row());
        assertEquals(LinearResult.Impl.TORCH_DENSE, best1.impl());
        assertEquals(0.011, best1.ms(), 1e-12);
        LinearResult best2048 = GemmTable.torchBest(r.linear(), caseAt(r, "F16", 2048).row());
        assertEquals(LinearResult.Impl.TORCH_CUSPARSELT, best2048.impl());
        assertNull(GemmTable.torchBest(r.linear(), caseAt(r, "BF16", 1).row()), "PyTorch did not run BF16 here");
    }

    @Test
    void theReportLeadsWithTheKernelTableAndSaysHowItWasMeasured(@TempDir Path out) throws Exception {
        BenchResults r = both();
        ReportWriter.write(r, List.of(), out);
        String md = Files.readString(out.resolve(ReportWriter.REPORT));
        assertTrue(md.indexOf("## Dense vs 2:4, paired and cache-honest") < md.indexOf("## JMH and PyTorch layer timings"),
                md);
        assertTrue(md.contains("| Model | Layer | Shape (out x in) | Tokens | Dense kernel ms | 2:4 kernel ms | 2:4 backend"
                + " | Kernel speedup | Byte limit ms (dense / 2:4) | Limit speedup | Dense wall ms | 2:4 wall ms | Wall speedup"
                + " | PyTorch best ms | 2:4 vs PyTorch best |"), md);
        assertTrue(md.contains("| LLaMA-2-7B | q/o | 4096 x 4096 | 1 | " + MarkdownReport.number(0.0095) + " | "
                + MarkdownReport.number(0.0062) + " | DECODE | **" + MarkdownReport.speedup(0.0095 / 0.0062) + "** | "), md);
        assertTrue(md.contains("| " + MarkdownReport.number(0.011) + " (dense) | " + MarkdownReport.speedup(0.011 / 0.0062)
                + " |"), md);
        assertTrue(md.contains("| " + MarkdownReport.number(0.150) + " (cuSPARSELt 2:4) | "
                + MarkdownReport.speedup(0.150 / 0.125) + " |"), md);
        assertTrue(md.contains("**" + MarkdownReport.speedup(0.011 / 0.005) + "** †"), "above the byte limit is marked");
        assertTrue(md.contains("| cuda | F16 | 3 | " + MarkdownReport.speedup(0.0095 / 0.0062) + " | "), md);
        assertTrue(md.contains("| 3 of 3 | 3 of 3 | 1 |"), "faster than dense, ahead of PyTorch, above the limit: " + md);
        assertTrue(md.contains("| cuda | BF16 | 1 | "), md);
        assertTrue(md.contains("28672x8192, 8192 tokens: prune4j_malloc(470 MB): out of memory"), "failed cases listed");
        assertTrue(md.contains("read bandwidth 4400.0 GB/s"), md);
        assertTrue(md.contains("decode/GEMM threshold: 12 tokens"), md);
        assertTrue(md.contains("stopped early: deadline (4 s left); 3 cases not run"), md);
        assertTrue(md.contains("GpuGemmBench on NVIDIA H200 (sm_90)"), md);
        assertTrue(md.contains("cuSPARSELt loaded from"), md);
        assertTrue(Files.isRegularFile(out.resolve("speedup-cuda-q-o.png")), "plots of the paired cases");
        assertTrue(md.contains("![speedup-cuda-q-o.png](speedup-cuda-q-o.png)"), md);
    }

    @Test
    void plotsShowThePairedKernelSpeedupBesidePyTorchs() throws Exception {
        BenchResults r = both();
        List<SpeedupPlot.Series> series = SpeedupPlot.series(new SpeedupRows(r.linear()), r.gemm(), "cuda", "q/o");
        SpeedupPlot.Series ours = series.stream().filter(x -> x.impl() == LinearResult.Impl.PRUNE4J_SPARSE24)
                .findFirst().orElseThrow();
        assertEquals("7B F16 prune4j 2:4 (kernel)", ours.label());
        assertEquals(List.of(1, 16, 2048), List.copyOf(ours.points().keySet()));
        assertEquals(0.0095 / 0.0062, ours.points().get(1), 1e-9);
        assertEquals(1, series.stream().filter(x -> x.impl() == LinearResult.Impl.PRUNE4J_SPARSE24).count(),
                "F16 only: BF16 has no q/o case");
        assertTrue(series.stream().anyMatch(x -> x.impl() == LinearResult.Impl.TORCH_CUSPARSELT), "PyTorch's lines stay");
        assertTrue(GemmTable.hasSpeedup(r.gemm(), "cuda", "k/v"));
        assertFalse(GemmTable.hasSpeedup(r.gemm(), "cuda", "down"));
    }

    @Test
    void theBriefHasOneLinePerCase() throws Exception {
        List<String> brief = GemmTable.brief(both());
        assertEquals(5, brief.size(), String.join("\n", brief));
        assertTrue(brief.get(0).startsWith("cuda F16  4096x4096       1 tok: dense " + MarkdownReport.number(0.0095)
                + " ms, 2:4 " + MarkdownReport.number(0.0062) + " ms (DECODE), kernel "
                + MarkdownReport.speedup(0.0095 / 0.0062) + " (limit 1.78x), wall "), brief.get(0));
        assertTrue(brief.get(0).contains("torch best 0.0110 ms dense (2:4 " + MarkdownReport.speedup(0.011 / 0.0062) + ")"),
                brief.get(0));
        assertTrue(brief.get(1).contains("ABOVE LIMIT"), brief.get(1));
        assertTrue(brief.get(4).contains("FAILED prune4j_malloc"), brief.get(4));
    }

    @Test
    void aFileCutOffByATimeoutIsReadAsFarAsItGoes(@TempDir Path dir) throws Exception {
        List<String> lines = Files.readAllLines(fixture("gpu-gemm-handwritten.jsonl"));
        Path cut = dir.resolve("gemm.jsonl");
        Files.write(cut, lines.subList(0, 4));
        Files.writeString(cut, "{\"format\":\"prune4j-gemm/1\",\"kind\":\"ca", StandardOpenOption.APPEND);
        BenchResults r = ResultReader.read(List.of(cut));
        assertEquals(2, r.gemm().size());
        List<?> notes = (List<?>) r.machines().get(0).get("notes");
        assertTrue(notes.stream().anyMatch(n -> n.toString().contains("cut off")), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.toString().contains("no end line")), notes.toString());
        assertTrue(r.sources().get(0).contains("(no end line)"), r.sources().toString());
    }

    @Test
    void aBrokenLineInTheMiddleOrAnUnknownFormatIsAnErrorNamingTheLine(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("a.jsonl"), "{\"format\":\"prune4j-gemm/1\",\"kind\":\"header\"}\n{oops\n"
                + "{\"format\":\"prune4j-gemm/1\",\"kind\":\"end\"}\n");
        IOException e = assertThrows(IOException.class, () -> ResultReader.read(List.of(broken)));
        assertTrue(e.getMessage().contains("a.jsonl line 2"), e.getMessage());
        Path other = Files.writeString(dir.resolve("b.jsonl"), "{\"format\":\"something-else/1\",\"kind\":\"case\"}\n");
        e = assertThrows(IOException.class, () -> ResultReader.read(List.of(other)));
        assertTrue(e.getMessage().contains("something-else/1") && e.getMessage().contains("b.jsonl line 1"), e.getMessage());
    }

    @Test
    void aFolderStandsForItsJsonLinesFilesToo(@TempDir Path dir) throws Exception {
        Files.copy(fixture("gpu-gemm-handwritten.jsonl"), dir.resolve("gemm.jsonl"));
        Files.copy(fixture("torch-handwritten.jsonl"), dir.resolve("torch.jsonl"));
        BenchResults r = ResultReader.read(List.of(dir));
        assertEquals(5, r.gemm().size());
        assertEquals(2, r.sources().size(), r.sources().toString());
    }

    @Test
    void jsonLinesAreAppendedOneObjectPerLine(@TempDir Path dir) throws Exception {
        JsonLines out = new JsonLines(dir.resolve("sub/x.jsonl"), GemmResult.FORMAT);
        Map<String, Object> a = out.line("header");
        a.put("text", "two\nlines");
        out.write(a);
        out.write(out.line("end"));
        List<String> lines = Files.readAllLines(dir.resolve("sub/x.jsonl"));
        assertEquals(2, lines.size(), "a newline inside a value is escaped");
        assertTrue(lines.get(0).startsWith("{\"format\":\"prune4j-gemm/1\",\"kind\":\"header\""), lines.get(0));
    }
}
