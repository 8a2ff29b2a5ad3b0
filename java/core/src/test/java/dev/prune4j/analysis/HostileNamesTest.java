package dev.prune4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.internal.json.Json;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A tensor name is data from a file: a newline or an ESC in it reaches no terminal raw. */
class HostileNamesTest {
    private static final String NAME = "evil\nfake row\u001b[2J\u009b31m.weight";

    @Test
    void tableAndCsvShowControlCharactersEscapedAndJsonKeepsTheName() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.ofFloats(arena, NAME, DType.F32, new float[] {0, 1, 2, 3}, 2, 2);
            SparsityReport report = SparsityReport.analyze(List.of(t), 0.5);
            for (ReportFormat f : List.of(ReportFormat.TABLE, ReportFormat.CSV)) {
                String text = f.format(report);
                assertFalse(text.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n'), f + ": " + text);
                assertTrue(text.contains("evil\\nfake row\\x1b[2J\\x9b31m.weight"), f + ": " + text);
                assertFalse(text.lines().anyMatch(l -> l.startsWith("fake row")), f + " has no forged line");
            }
            Map<String, Object> json = Json.parseObject(ReportFormat.JSON.format(report));
            assertTrue(json.toString().contains(NAME), "JSON escapes the name its own way and keeps it exact");
            MaskSimilarity s = MaskSimilarity.compare(List.of(t), List.of(t.withName("other")));
            assertEquals(List.of(NAME), s.onlyInA());
            assertFalse(ReportFormat.TABLE.format(s).contains("\u001b"));
        }
    }
}
