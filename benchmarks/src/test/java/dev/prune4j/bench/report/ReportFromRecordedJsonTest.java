package dev.prune4j.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.bench.report.LinearResult.Impl;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report generator on committed result files: {@code cpu-quick-jmh.json} and
 * {@code cpu-machine.json} are a slice of a real quick CPU run on the 2-core build machine;
 * {@code cuda-handwritten-jmh.json} (JMH's layout with the kernel-time counters) and
 * {@code torch-handwritten.json} (the PyTorch script's layout) are written by hand, since no GPU was
 * at hand to record them. Expected values are computed from the files themselves.
 */
class ReportFromRecordedJsonTest {
    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(ReportFromRecordedJsonTest.class.getResource(name).toURI());
    }

    /** primaryMetric.score of the JMH entry for {@code method} at {@code tokens}, in its file's unit. */
    private static double jmhScore(Path file, String method, String shape, int tokens) throws IOException {
        for (Object o : (List<?>) JsonFormat.parse(Files.readString(file))) {
            Map<?, ?> r = (Map<?, ?>) o;
            Map<?, ?> p = (Map<?, ?>) r.get("params");
            if (((String) r.get("benchmark")).endsWith("." + method) && shape.equals(p.get("shape"))
                    && String.valueOf(tokens).equals(p.get("tokens")) && "F16".equals(p.get("dtype"))) {
                return ((Number) ((Map<?, ?>) r.get("primaryMetric")).get("score")).doubleValue();
            }
        }
        throw new AssertionError("no " + method + " at " + shape + ", " + tokens + " tokens in " + file);
    }

    @Test
    void cpuRunBecomesOneTablePerModelWithSpeedups(@TempDir Path out) throws Exception {
        Path jmh = fixture("cpu-quick-jmh.json");
        BenchResults results = ResultReader.read(List.of(jmh, fixture("cpu-machine.json")));
        assertEquals(1, results.machines().size());
        assertFalse(results.other().isEmpty(), "MaskBench results are kept as other benchmarks");

        double dense = jmhScore(jmh, "dense", "4096x4096", 1);
        double sparse = jmhScore(jmh, "sparse24", "4096x4096", 1);
        SpeedupRows rows = new SpeedupRows(results.linear());
        SpeedupRows.Row row = rows.rows("cpu").stream()
                .filter(r -> r.key().shape().equals("4096x4096") && r.key().tokens() == 1 && r.key().dtype().equals("F16"))
                .findFirst().orElseThrow();
        assertEquals(dense / sparse, row.speedup(Impl.PRUNE4J_SPARSE24), 1e-12);

        List<Path> written = ReportWriter.write(results, List.of("a note from the runner"), out);
        String md = Files.readString(out.resolve(ReportWriter.REPORT));
        assertTrue(md.contains("| Model | Layer | Shape (out x in) | Tokens | Dense ms | Sparse ms | Speedup |"), md);
        // 7B's q/o and k/v share 4096x4096: one measurement, a line for each projection.
        String speedup = MarkdownReport.speedup(dense / sparse);
        assertTrue(md.contains("| LLaMA-2-7B | q/o | 4096 x 4096 | 1 | "), md);
        assertTrue(md.contains("| LLaMA-2-7B | k/v | 4096 x 4096 | 1 | "), md);
        assertTrue(md.contains("**" + speedup + "** |"), md);
        assertTrue(md.contains("AMD EPYC") || md.contains(" cores, "), "the machine is named at the top: " + md);
        assertTrue(md.contains("load average"), md);
        assertTrue(md.contains("- a note from the runner"), md);
        assertFalse(md.contains("Torch dense ms"), "no PyTorch columns without PyTorch results");
        assertFalse(md.contains("kernel ms"), "no kernel columns on the CPU");

        assertTrue(written.contains(out.resolve("speedup-cpu-q-o.png")), written.toString());
        BufferedImage png = ImageIO.read(out.resolve("speedup-cpu-q-o.png").toFile());
        assertNotNull(png);
        assertEquals(SpeedupPlot.WIDTH, png.getWidth());
        assertTrue(md.contains("![speedup-cpu-q-o.png](speedup-cpu-q-o.png)"), md);
    }

    @Test
    void gpuRunAndPytorchShareRowsWithKernelTimes(@TempDir Path out) throws Exception {
        Path cuda = fixture("cuda-handwritten-jmh.json");
        BenchResults results = ResultReader.read(List.of(cuda, fixture("torch-handwritten.json")));
        assertEquals(1, results.machines().size(), "the PyTorch file brings its machine");

        SpeedupRows rows = new SpeedupRows(results.linear());
        assertEquals(List.of("cuda"), rows.devices());
        SpeedupRows.Row r1 = rows.rows("cuda").stream().filter(r -> r.key().tokens() == 1).findFirst().orElseThrow();
        // The sparse entry is in us/op: the reader converts it to ms.
        double dense = jmhScore(cuda, "dense", "4096x4096", 1);
        double sparseUs = jmhScore(cuda, "sparse24", "4096x4096", 1);
        assertEquals(dense / (sparseUs / 1000), r1.speedup(Impl.PRUNE4J_SPARSE24), 1e-9);
        assertTrue(r1.get(Impl.PRUNE4J_DENSE).kernelMs() > 0);
        assertEquals(r1.get(Impl.PRUNE4J_DENSE).kernelMs() / r1.get(Impl.PRUNE4J_SPARSE24).kernelMs(),
                r1.kernelSpeedup(), 1e-12);
        assertEquals(r1.get(Impl.TORCH_DENSE).ms() / r1.get(Impl.TORCH_CUSPARSELT).ms(),
                r1.speedup(Impl.TORCH_CUSPARSELT), 1e-12);

        ReportWriter.write(results, List.of(), out);
        String md = Files.readString(out.resolve(ReportWriter.REPORT));
        assertTrue(md.contains("| Dense kernel ms | Sparse kernel ms | Kernel speedup | Torch dense ms | "
                + "Torch CUTLASS 2:4 ms | Torch cuSPARSELt 2:4 ms | CUTLASS speedup | cuSPARSELt speedup |"), md);
        assertTrue(md.contains(MarkdownReport.speedup(r1.speedup(Impl.TORCH_CUTLASS))), md);
        // At 16 tokens only PyTorch dense and CUTLASS ran (cuSPARSELt failed): "-" in every other column.
        SpeedupRows.Row r16 = rows.rows("cuda").stream().filter(r -> r.key().tokens() == 16).findFirst().orElseThrow();
        assertTrue(md.contains("| LLaMA-2-7B | q/o | 4096 x 4096 | 16 | - | - | - | - | - | - | "
                + MarkdownReport.withError(r16.get(Impl.TORCH_DENSE).ms(), r16.get(Impl.TORCH_DENSE).msError())), md);
        assertTrue(md.contains(" | - | " + MarkdownReport.speedup(r16.speedup(Impl.TORCH_CUTLASS)) + " | - |"), md);
        assertTrue(Files.exists(out.resolve("speedup-cuda-q-o.png")));
    }

    @Test
    void aFolderStandsForItsJsonFiles(@TempDir Path dir) throws Exception {
        Files.copy(fixture("cuda-handwritten-jmh.json"), dir.resolve("a.json"));
        Files.copy(fixture("torch-handwritten.json"), dir.resolve("b.json"));
        Files.writeString(dir.resolve("notes.txt"), "not read");
        BenchResults results = ResultReader.read(List.of(dir));
        assertEquals(2, results.sources().size(), results.sources().toString());
        assertEquals(4 + 8, results.linear().size(), "the failed PyTorch case is left out");
    }

    @Test
    void unknownJsonIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("other.json"), "{\"hello\": 1}");
        IOException e = assertThrows(IOException.class, () -> ResultReader.read(List.of(bad)));
        assertTrue(e.getMessage().contains("other.json"), e.getMessage());

        Path broken = Files.writeString(dir.resolve("broken.json"), "[{\"benchmark\": ");
        e = assertThrows(IOException.class, () -> ResultReader.read(List.of(broken)));
        assertTrue(e.getMessage().contains("broken.json"), e.getMessage());
    }

    @Test
    void throughputScoresAreNotTakenForTimes() {
        assertEquals(1e-3, ResultReader.toMillis("us/op"));
        assertEquals(1e3, ResultReader.toMillis("s/op"));
        assertThrows(IllegalArgumentException.class, () -> ResultReader.toMillis("ops/ms"));
    }

    @Test
    void thePyTorchReferenceOfWandaAndSparseGptStandsBesideCalibrationBenchmark(@TempDir Path out) throws Exception {
        BenchResults results = ResultReader.read(List.of(fixture("torch-pruning-handwritten.jsonl")));
        // Four steps, each timed by the wall clock and by CUDA events.
        assertEquals(8, results.other().size());
        OtherResult sparseGpt = results.other().stream()
                .filter(r -> r.benchmark().equals("TorchReference.sparseGpt50") && r.params().get("clock").equals("wall"))
                .findFirst().orElseThrow();
        assertEquals(1500.0, sparseGpt.score(), 1e-9);
        assertEquals("ms/op", sparseGpt.unit());
        assertEquals("torch cuda", sparseGpt.params().get("engine"));
        assertEquals("262144", sparseGpt.params().get("tokens"));
        ReportWriter.write(results, List.of(), out);
        String md = Files.readString(out.resolve(ReportWriter.REPORT));
        assertTrue(md.contains("TorchReference.sparseGpt50WithHessian"), md);
    }
}
