package dev.prune4j.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WikipediaCorpusTest {
    private static final String SAMPLE = """
            {
              "Alan Turing": {"title": "Alan Turing", "extract": "Alan Mathison Turing was an English mathematician.",
                              "description": "English computer scientist (1912-1954)", "topic": "People"},
              "Empty": {"title": "Empty", "extract": " ", "description": "", "topic": "Uncategorized"},
              "Ångström": {"title": "Ångström", "extract": "The ångström is a unit of length equal to 10\\u221210 m.",
                           "description": "unit of length", "topic": "Physical sciences"}
            }
            """;

    @Test
    void readsArticlesInFileOrderWithoutEmptyOnes(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("summaries.json"), SAMPLE);
        List<WikipediaCorpus.Article> articles = WikipediaCorpus.read(file);
        assertEquals(List.of("Alan Turing", "Ångström"), articles.stream().map(WikipediaCorpus.Article::title).toList());
        assertEquals("The ångström is a unit of length equal to 10\u221210 m.", articles.get(1).extract());
        assertEquals("People", articles.get(0).topic());
    }

    @Test
    void malformedFilesAreErrorsNamingTheFile(@TempDir Path dir) throws IOException {
        Path notJson = Files.writeString(dir.resolve("a.json"), "{\"x\": ");
        assertTrue(assertThrows(IOException.class, () -> WikipediaCorpus.read(notJson)).getMessage()
                .startsWith(notJson.toString()));
        Path noExtract = Files.writeString(dir.resolve("b.json"), "{\"x\": {\"title\": \"x\"}}");
        assertTrue(assertThrows(IOException.class, () -> WikipediaCorpus.read(noExtract)).getMessage()
                .contains("entry 'x' has no string \"extract\""));
    }

    @Test
    void theSplitDependsOnTheTitleAlone() {
        List<WikipediaCorpus.Article> articles = new java.util.ArrayList<>();
        for (int i = 0; i < 400; i++) {
            articles.add(new WikipediaCorpus.Article("Title " + i, "Text " + i + ".", "", ""));
        }
        TextSplit all = WikipediaCorpus.split(articles);
        TextSplit half = WikipediaCorpus.split(articles.subList(0, 200));
        assertEquals(400, all.calibration().size() + all.evaluation().size());
        // Every article of the smaller corpus lands on the side it lands on in the larger one.
        assertTrue(all.calibration().containsAll(half.calibration()));
        assertTrue(all.evaluation().containsAll(half.evaluation()));
        // About 30 % calibration; hash order, not file order.
        assertTrue(all.calibration().size() > 80 && all.calibration().size() < 160, all.calibration().size() + "");
        assertFalse(all.evaluation().equals(all.evaluation().stream().sorted().toList()));
        assertEquals(String.join("\n\n", all.evaluation()), all.evaluationText());
    }

    @Test
    void theInstalledSummaries() throws IOException {
        Path file = Installed.require(WikipediaCorpus.locate());
        List<WikipediaCorpus.Article> articles = WikipediaCorpus.read(file);
        assertEquals(10_033, articles.size());
        long words = articles.stream().mapToLong(a -> a.extract().split("\\s+").length).sum();
        assertTrue(words > 770_000 && words < 780_000, words + " words");
        TextSplit split = WikipediaCorpus.split(articles);
        Set<String> calibration = new HashSet<>(split.calibration());
        assertTrue(split.evaluation().stream().noneMatch(calibration::contains), "disjoint");
        double share = split.calibration().size() / (double) articles.size();
        assertTrue(share > 0.28 && share < 0.32, "calibration share " + share);
    }
}
