package dev.prune4j.model.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KjvBibleTest {
    private static final String OUTPUT = """
            Ge1:1 In the beginning God created the heaven and the earth.
            Ge1:2 And the earth was without form, and void; and darkness was upon the face of the deep.
            Ge2:1 Thus the heavens and the earth were finished, and all the host of them.
            1Cor13:13 And now abideth faith, hope, charity, these three; but the greatest of these is charity.
            """;

    @Test
    void parsesTheProgramsLines() throws IOException {
        List<KjvBible.Verse> verses = KjvBible.parse(OUTPUT);
        assertEquals(4, verses.size());
        assertEquals(new KjvBible.Verse("1Cor", 13, 13,
                "And now abideth faith, hope, charity, these three; but the greatest of these is charity."), verses.get(3));
        List<KjvBible.Chapter> chapters = KjvBible.chapters(verses);
        assertEquals(List.of("Ge 1", "Ge 2", "1Cor 13"), chapters.stream().map(KjvBible.Chapter::key).toList());
        assertEquals("In the beginning God created the heaven and the earth. And the earth was without form, and void;"
                + " and darkness was upon the face of the deep.", chapters.get(0).text());
        assertTrue(assertThrows(IOException.class, () -> KjvBible.parse("Genesis begins here")).getMessage()
                .contains("line 1"));
    }

    @Test
    void theInstalledBible() throws IOException {
        if (!KjvBible.installed()) {
            Installed.missing("bible-kjv-text is not installed (apt-get install bible-kjv-text)");
        }
        List<KjvBible.Verse> verses = KjvBible.read();
        assertEquals(31_102, verses.size());
        assertEquals("In the beginning God created the heaven and the earth.", verses.getFirst().text());
        assertEquals(new KjvBible.Verse("Rev", 22, 21, "The grace of our Lord Jesus Christ be with you all. Amen."),
                verses.getLast());
        assertEquals(1_189, KjvBible.chapters(verses).size());
        TextSplit split = KjvBible.split(verses);
        Set<String> calibration = new HashSet<>(split.calibration());
        assertTrue(split.evaluation().stream().noneMatch(calibration::contains));
        assertEquals(1_189, split.calibration().size() + split.evaluation().size());
    }
}
