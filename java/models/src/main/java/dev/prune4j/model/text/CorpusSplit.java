package dev.prune4j.model.text;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A deterministic, disjoint split of texts into calibration text (seen by Wanda and SparseGPT)
 * and held-out text (for evaluation only). Where a text goes depends on the text alone, through
 * its SHA-256: the same text always lands on the same side, whatever else the corpus holds, so
 * duplicates can never straddle the split. Each side is ordered by hash, a fixed shuffle that mixes
 * the source databases, so taking the first n is a fair sample.
 *
 * @param calibration texts for calibration
 * @param heldOut     texts for evaluation, disjoint from {@code calibration}
 */
public record CorpusSplit(List<String> calibration, List<String> heldOut) {
    /** Out of 100 hash buckets, this many go to calibration. */
    public static final int CALIBRATION_PERCENT = 30;

    public CorpusSplit {
        calibration = List.copyOf(calibration);
        heldOut = List.copyOf(heldOut);
    }

    public static CorpusSplit of(List<String> texts) {
        record Hashed(String text, long hash) {}
        List<Hashed> hashed = new ArrayList<>();
        for (String t : new java.util.LinkedHashSet<>(texts)) {
            hashed.add(new Hashed(t, hash(t)));
        }
        hashed.sort(Comparator.comparingLong(Hashed::hash).thenComparing(Hashed::text));
        List<String> calibration = new ArrayList<>();
        List<String> heldOut = new ArrayList<>();
        for (Hashed h : hashed) {
            // The top bits order the list; the bucket comes from the low bits, independent of that order.
            int bucket = (int) Long.remainderUnsigned(h.hash() & 0xFFFFFFFFL, 100);
            (bucket < CALIBRATION_PERCENT ? calibration : heldOut).add(h.text());
        }
        return new CorpusSplit(calibration, heldOut);
    }

    static long hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (d[i] & 0xFF);
            }
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The first {@code n} calibration texts (all when there are fewer). */
    public List<String> calibration(int n) {
        return calibration.subList(0, Math.min(n, calibration.size()));
    }
}
