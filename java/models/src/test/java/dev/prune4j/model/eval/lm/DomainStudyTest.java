package dev.prune4j.model.eval.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.eval.CalibratedModelPruner;
import dev.prune4j.model.eval.CalibratedModelPruner.Mode;
import dev.prune4j.model.llama.LlamaModel;
import dev.prune4j.model.llama.Perplexity;
import dev.prune4j.model.llama.TinyLlama;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.wanda.WandaPruner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The domain study on a small random LLaMA: its square table and the distances between the masks. */
class DomainStudyTest {
    private static final CpuEngine ENGINE = new CpuEngine(2);
    private static LlamaModel model;

    @TempDir
    static Path dir;

    @BeforeAll
    static void load() throws IOException {
        model = LlamaModel.load(new TinyLlama().writeFolder(dir.resolve("tiny"), DType.F32));
    }

    @AfterAll
    static void close() {
        ENGINE.close();
    }

    /** Token ids from one part of the vocabulary: a "domain" the calibration can tell apart. */
    private static int[][] windowsOf(int lowest, int count, long seed) {
        java.util.Random random = new java.util.Random(seed);
        int[][] w = new int[count][12];
        for (int[] window : w) {
            for (int t = 0; t < window.length; t++) {
                window[t] = lowest + random.nextInt(60);
            }
        }
        return w;
    }

    @Test
    void eachDomainsModelIsScoredOnEveryDomainAndTheirMasksCompared() {
        // "a" and "twin" calibrate on the same windows; "b" on other tokens.
        int[][] calibrationA = windowsOf(0, 3, 1);
        List<DomainStudy.Domain> domains = List.of(
                new DomainStudy.Domain("a", calibrationA, windowsOf(0, 2, 2)),
                new DomainStudy.Domain("twin", calibrationA, windowsOf(0, 2, 3)),
                new DomainStudy.Domain("b", windowsOf(150, 3, 4), windowsOf(150, 2, 5)));
        List<String> progress = new ArrayList<>();
        DomainTable t = new DomainStudy(model, ENGINE, progress::add).run(domains,
                windows -> new CalibratedModelPruner<>(() -> new LlamaCalibrationPass(model, ENGINE, windows), ENGINE,
                        new WandaPruner(), PruneSpec.perRow(0.5), Mode.SEQUENTIAL));
        assertEquals(List.of("a", "twin", "b"), t.domains());
        assertEquals(3 + 9, progress.size(), progress.toString());
        for (int e = 0; e < 3; e++) {
            // Equal up to float noise: the Vector API kernels may sum in another order before C2 compiles them.
            double dense = Perplexity.evaluate(model, ENGINE, domains.get(e).evaluation()).perplexity();
            assertEquals(dense, t.dense()[e], 1e-6 * dense);
            assertEquals(t.perplexity()[0][e], t.perplexity()[1][e], 1e-6 * t.perplexity()[0][e], "same calibration");
        }
        for (int c = 0; c < 3; c++) {
            assertEquals(0.5, t.actualSparsity()[c], 1e-12);
        }
        // Per pair: the seven layer types, then overall.
        List<String> types = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj",
                "overall");
        assertEquals(3 * types.size(), t.distances().size());
        for (int p = 0; p < 3; p++) {
            List<DomainTable.MaskDistance> pair = t.distances().subList(p * types.size(), (p + 1) * types.size());
            assertEquals(types, pair.stream().map(DomainTable.MaskDistance::layerType).toList());
            DomainTable.MaskDistance overall = pair.getLast();
            long zerosPerModel = model.linears().stream().mapToLong(l -> l.weight().numel() / 2).sum();
            assertEquals(zerosPerModel, overall.overlap().zerosA());
            assertEquals(zerosPerModel, overall.overlap().zerosB());
            if (pair.getFirst().a().equals("a") && pair.getFirst().b().equals("twin")) {
                assertTrue(overall.jaccardDistance() < 1e-3, "the same masks up to near-ties: " + overall);
            } else {
                assertTrue(overall.jaccardDistance() > 0.01 && overall.jaccardDistance() < 0.9, overall.toString());
            }
        }
        String md = DomainReport.markdown(t, "study", List.of());
        assertTrue(md.contains("| calibrated on | actual sparsity | a | twin | b |"), md);
        assertTrue(md.contains("| down_proj |"), md);
        assertEquals(1 + 3 + 9, DomainReport.perplexityCsv(t).lines().count());
        assertEquals(1 + 3 * types.size(), DomainReport.jaccardCsv(t).lines().count());
        assertThrows(IllegalArgumentException.class, () -> new DomainStudy(model, ENGINE, s -> {}).run(
                domains.subList(0, 1), windows -> null));
    }
}
