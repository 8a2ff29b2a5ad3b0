package dev.prune4j.model.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * A deterministic, disjoint split of a corpus into calibration and evaluation documents by a hash
 * of each document's key (a Wikipedia title, a Bible chapter), with {@link CorpusSplit}'s rule:
 * the low bits of the key's SHA-256 put {@link CorpusSplit#CALIBRATION_PERCENT} of 100 buckets on
 * the calibration side, the top bits order each side (a fixed shuffle, so the first documents
 * are a fair sample of topics). Where a document lands depends on its key alone.
 *
 * @param calibration documents for calibration, in hash order
 * @param evaluation  the other documents, in hash order
 */
public record TextSplit(List<String> calibration, List<String> evaluation) {
    /** Between documents in the joined texts: a blank line, as between paragraphs. */
    public static final String SEPARATOR = "\n\n";

    public TextSplit {
        calibration = List.copyOf(calibration);
        evaluation = List.copyOf(evaluation);
    }

    /** Splits {@code items} by {@code key}; each item contributes {@code text}. Keys must be distinct. */
    public static <T> TextSplit byKey(List<T> items, Function<T, String> key, Function<T, String> text) {
        record Hashed(String key, String text, long hash) {}
        List<Hashed> hashed = new ArrayList<>(items.size());
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (T item : items) {
            String k = key.apply(item);
            if (!seen.add(k)) {
                throw new IllegalArgumentException("key '" + k + "' appears twice");
            }
            hashed.add(new Hashed(k, text.apply(item), CorpusSplit.hash(k)));
        }
        hashed.sort(Comparator.comparingLong(Hashed::hash).thenComparing(Hashed::key));
        List<String> calibration = new ArrayList<>();
        List<String> evaluation = new ArrayList<>();
        for (Hashed h : hashed) {
            int bucket = (int) Long.remainderUnsigned(h.hash() & 0xFFFFFFFFL, 100);
            (bucket < CorpusSplit.CALIBRATION_PERCENT ? calibration : evaluation).add(h.text());
        }
        return new TextSplit(calibration, evaluation);
    }

    /** The calibration documents joined by {@link #SEPARATOR}. */
    public String calibrationText() {
        return String.join(SEPARATOR, calibration);
    }

    /** The evaluation documents joined by {@link #SEPARATOR}. */
    public String evaluationText() {
        return String.join(SEPARATOR, evaluation);
    }
}
