package dev.prune4j.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FortuneCorpusTest {
    private static final String DATABASE = """
            A banker is a fellow who lends you his umbrella when the sun is shining
            and wants it back the minute it begins to rain.
            \t\t-- Mark Twain
            %
            Too short.
            %
            ##### ##### ##### ##### ##### ##### ##### ####
            %
            \tA man was reading The Canterbury Tales one Saturday morning, when his
            wife asked "What have you got there?"
            %
            """;

    @Test
    void entriesAreSplitOnPercentLinesWithAttributionsAndNoiseDropped() {
        List<String> texts = FortuneCorpus.parse(DATABASE.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(
                "A banker is a fellow who lends you his umbrella when the sun is shining and wants it back the minute it begins to rain.",
                "A man was reading The Canterbury Tales one Saturday morning, when his wife asked \"What have you got there?\""),
                texts);
    }

    @Test
    void aFolderWithoutAnyDatabaseIsAnErrorNamingIt(@TempDir Path dir) {
        try {
            FortuneCorpus.read(dir);
            fail("expected an error");
        } catch (IOException e) {
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
        }
    }

    @Test
    void theSplitIsDisjointDeterministicAndDependsOnEachTextAlone() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            texts.add("sentence number " + i + " of the test corpus");
        }
        CorpusSplit split = CorpusSplit.of(texts);
        Set<String> calibration = new HashSet<>(split.calibration());
        assertEquals(1000, calibration.size() + split.heldOut().size());
        assertTrue(split.heldOut().stream().noneMatch(calibration::contains));
        // About 30 % calibration, as the hash buckets say.
        assertTrue(calibration.size() > 230 && calibration.size() < 370, "calibration size " + calibration.size());
        // Dropping half the corpus moves no remaining text to the other side.
        CorpusSplit half = CorpusSplit.of(texts.subList(0, 500));
        assertTrue(calibration.containsAll(half.calibration()));
        assertTrue(new HashSet<>(split.heldOut()).containsAll(half.heldOut()));
        assertEquals(split, CorpusSplit.of(texts.reversed()));
    }

    @Test
    void retrievalPairsAreHalvesOfLongEnoughTexts() {
        RetrievalSet set = RetrievalSet.halves(List.of("one two three", "a b c d e f g h i j k"), 5);
        assertEquals(List.of("a b c d e"), set.queries());
        assertEquals(List.of("f g h i j k"), set.documents());
    }

    @Test
    void debiansFortuneDatabasesGiveThousandsOfEnglishTexts() throws IOException {
        Path dir = FortuneCorpus.DEFAULT_DIR;
        if (!Files.isRegularFile(dir.resolve("literature"))) {
            String why = "Debian's fortune databases are not installed (apt-get install fortunes)";
            if ("1".equals(System.getenv("PRUNE4J_REQUIRE_PYTHON"))) {
                fail(why + "; .ci/run installs them");
            }
            Assumptions.abort(why);
        }
        List<String> texts = FortuneCorpus.read(dir);
        assertTrue(texts.size() > 3000, texts.size() + " texts");
        assertEquals(texts.size(), new HashSet<>(texts).size());
        for (String t : texts) {
            assertFalse(t.contains("\n") || t.contains("  ") || t.startsWith(" "), t);
        }
        EvalText eval = EvalText.fromFortunes(dir, 128, 256, 200);
        assertEquals(128, eval.calibration().size());
        assertEquals(256, eval.similarity().size());
        assertEquals(200, eval.retrieval().size());
        Set<String> calibration = new HashSet<>(eval.calibration());
        assertTrue(eval.similarity().stream().noneMatch(calibration::contains));
    }
}
