package dev.prune4j.prune;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.KeySpace;
import dev.prune4j.engine.RadixPass;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Exact selection of the {@code k} smallest magnitudes across one or many tensors, without
 * concatenating them: a most-significant-digit radix select over the integer keys of
 * {@code |w|} ({@link KeySpace}), one histogram pass per digit (one pass in all for 16-bit
 * weights), then one pass that writes the masks. Extra memory is one histogram, whatever the
 * model size. Ties at the threshold are pruned in flat order across the tensors, in the order given.
 */
public final class MagnitudeSelection {
    private MagnitudeSelection() {}

    /** The magnitude key at the cut, and how many weights with exactly that key are pruned. */
    public record Threshold(KeySpace keys, int key, long tiesToPrune) {}

    /**
     * Prunes exactly {@code k} more weights, the smallest live magnitudes across {@code tensors}
     * (ties: lower tensor position, then lower flat index). {@code live} may be {@code null}
     * (everything live) or hold one mask per tensor (entries may be {@code null}).
     *
     * @return one keep-mask per tensor, in order
     */
    public static List<Mask> pruneSmallest(Engine engine, List<Tensor> tensors, List<Mask> live, long k) {
        if (live != null && live.size() != tensors.size()) {
            throw new IllegalArgumentException(live.size() + " masks for " + tensors.size() + " tensors");
        }
        KeySpace keys = KeySpace.covering(tensors);
        Threshold threshold = findThreshold(engine, tensors, live, keys, k);
        List<Mask> masks = new ArrayList<>(tensors.size());
        long ties = threshold.tiesToPrune();
        for (int i = 0; i < tensors.size(); i++) {
            Engine.ThresholdMask tm = engine.pruneBelow(tensors.get(i), liveAt(live, i), keys, threshold.key(), ties);
            ties -= tm.tiesPruned();
            masks.add(tm.mask());
        }
        if (ties != 0) {
            throw new IllegalStateException("selection left " + ties + " ties unpruned: the tensors changed"
                    + " during selection?");
        }
        return masks;
    }

    /**
     * Finds the key of the {@code (k+1)}-th smallest live magnitude (the smallest kept one) and how
     * many of the weights with that key fall among the {@code k} smallest.
     */
    public static Threshold findThreshold(Engine engine, List<Tensor> tensors, List<Mask> live, KeySpace keys, long k) {
        long liveCount = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Mask m = liveAt(live, i);
            liveCount += m == null ? tensors.get(i).numel() : m.count();
        }
        if (k < 0 || k > liveCount) {
            throw new IllegalArgumentException("cannot prune " + k + " of " + liveCount + " live weights");
        }
        if (k == liveCount) {
            // Everything goes: a threshold above every key prunes all live weights.
            return new Threshold(keys, Integer.MAX_VALUE, 0);
        }
        int prefix = 0;
        long rank = k; // rank of the wanted key among the keys sharing the prefix (0-based)
        int consumed = 0;
        for (int bits : keys.digitBits()) {
            int shift = keys.width() - consumed - bits;
            RadixPass pass = new RadixPass(shift, bits, prefix);
            long[] histogram = new long[pass.buckets()];
            for (int i = 0; i < tensors.size(); i++) {
                engine.magnitudeHistogram(tensors.get(i), liveAt(live, i), keys, pass, histogram);
            }
            int digit = 0;
            while (rank >= histogram[digit]) {
                rank -= histogram[digit];
                digit++;
            }
            prefix = (prefix << bits) | digit;
            consumed += bits;
        }
        return new Threshold(keys, prefix, rank);
    }

    private static Mask liveAt(List<Mask> live, int i) {
        return live == null ? null : live.get(i);
    }
}
