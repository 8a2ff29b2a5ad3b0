package dev.prune4j.prune;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.mask.KeySpace;
import dev.prune4j.mask.Mask;
import dev.prune4j.mask.RadixPass;
import dev.prune4j.mask.ThresholdMask;
import dev.prune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The facade of the engines' mask kernels: every selection of prune4j (magnitude, Wanda's and
 * SparseGPT's scores) goes through here, which checks the arguments once and moves tensors to the
 * engine's device once (host tensors on the CPU engine are used as they are).
 *
 * <p>Exact selection of the {@code k} smallest magnitudes across one or many tensors, without
 * concatenating them: a most-significant-digit radix select over the integer keys of {@code |w|}
 * ({@link KeySpace}), one histogram pass per digit (one pass in all for 16-bit weights), then one
 * pass that writes the masks. Extra memory is one histogram, whatever the model size. Ties at the
 * threshold are pruned in flat order across the tensors, in the order given.
 */
public final class MagnitudeSelection {
    /** Share of the device's free memory a whole selection may occupy to stay resident across passes. */
    private static final double RESIDENT_SHARE = 0.8;

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
        KeySpace keys = KeySpace.covering(tensors);
        checkSelection(tensors, live, keys);
        try (Resident resident = new Resident(engine, tensors)) {
            Threshold threshold = findThreshold(engine, resident, live, keys, k);
            List<Mask> masks = new ArrayList<>(tensors.size());
            long ties = threshold.tiesToPrune();
            for (int i = 0; i < tensors.size(); i++) {
                Mask l = liveAt(live, i);
                long tiesLeft = ties;
                ThresholdMask tm = tensors.get(i).numel() == 0 ? new ThresholdMask(Mask.allPruned(tensors.get(i).shape()), 0)
                        : resident.apply(i, t -> engine.pruneBelow(t, l, keys, threshold.key(), tiesLeft));
                ties -= tm.tiesPruned();
                masks.add(tm.mask());
            }
            if (ties != 0) {
                throw new IllegalStateException("selection left " + ties + " ties unpruned: the tensors changed"
                        + " during selection?");
            }
            return masks;
        }
    }

    /**
     * Finds the key of the {@code (k+1)}-th smallest live magnitude (the smallest kept one) and how
     * many of the weights with that key fall among the {@code k} smallest.
     */
    public static Threshold findThreshold(Engine engine, List<Tensor> tensors, List<Mask> live, KeySpace keys, long k) {
        checkSelection(tensors, live, keys);
        try (Resident resident = new Resident(engine, tensors)) {
            return findThreshold(engine, resident, live, keys, k);
        }
    }

    private static Threshold findThreshold(Engine engine, Resident tensors, List<Mask> live, KeySpace keys, long k) {
        long liveCount = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Mask m = liveAt(live, i);
            liveCount += m == null ? tensors.numel(i) : m.count();
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
                Mask l = liveAt(live, i);
                if (tensors.numel(i) > 0) {
                    tensors.apply(i, t -> {
                        engine.magnitudeHistogram(t, l, keys, pass, histogram);
                        return histogram;
                    });
                }
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

    /**
     * Prunes the live weights of {@code t} below {@code threshold} and its first {@code tiesToPrune}
     * ties (the last pass of a selection whose threshold was found over many tensors).
     */
    public static ThresholdMask pruneBelow(Engine engine, Tensor t, Mask live, Threshold threshold, long tiesToPrune) {
        checkSelection(List.of(t), live == null ? null : List.of(live), threshold.keys());
        try (EngineArena work = engine.openArena()) {
            return engine.pruneBelow(work.upload(t), live, threshold.keys(), threshold.key(), Math.max(0, tiesToPrune));
        }
    }

    /**
     * Per row (last dimension), prunes the {@code perRow} smallest live magnitudes of {@code t},
     * counting the weights {@code live} already prunes in that row against {@code perRow}.
     */
    public static Mask pruneSmallestPerRow(Engine engine, Tensor t, Mask live, int perRow) {
        KeySpace.forDType(t.dtype()).requireFits(t);
        Mask.requireFits(live, t);
        long cols = t.cols();
        if (cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + t.name() + "': rows of " + cols + " are too long");
        }
        if (perRow < 0 || perRow > cols) {
            throw new IllegalArgumentException("tensor '" + t.name() + "': cannot prune " + perRow
                    + " of " + cols + " weights per row");
        }
        if (t.rows() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has too many rows: " + t.shapeString());
        }
        if (t.numel() == 0) {
            return live == null ? Mask.allKept(t.shape()) : live.copy();
        }
        try (EngineArena work = engine.openArena()) {
            return engine.pruneSmallestPerRow(work.upload(t), live, perRow);
        }
    }

    /** N:M: in each group of {@code m} consecutive weights of a row, the {@code n} largest magnitudes stay. */
    public static Mask pruneNm(Engine engine, Tensor t, NmPattern pattern) {
        KeySpace.forDType(t.dtype()).requireFits(t);
        pattern.requireFits(t);
        if (t.numel() == 0) {
            return Mask.allPruned(t.shape());
        }
        try (EngineArena work = engine.openArena()) {
            return engine.pruneNm(work.upload(t), pattern.n(), pattern.m());
        }
    }

    /**
     * {@code dst} = {@code src} with the weights {@code keep} prunes set to zero ({@code dst} may be
     * {@code src}: in place). Host tensors on a device engine cross the bus once each way.
     */
    public static void applyMask(Engine engine, Tensor src, Mask keep, Tensor dst) {
        if (src.dtype() != dst.dtype() || !Arrays.equals(src.shape(), dst.shape())) {
            throw new IllegalArgumentException("cannot write " + src + " into " + dst);
        }
        if (keep == null) {
            throw new IllegalArgumentException("tensor '" + src.name() + "': no mask to apply");
        }
        Mask.requireFits(keep, src);
        if (src.numel() == 0) {
            return;
        }
        try (EngineArena work = engine.openArena()) {
            Tensor from = work.upload(src);
            boolean inPlace = src.device().equals(dst.device()) && src.data().equals(dst.data());
            Tensor to = inPlace ? from : work.outputFor(dst);
            engine.applyMask(from, keep, to);
            work.download(to, dst);
        }
    }

    private static void checkSelection(List<Tensor> tensors, List<Mask> live, KeySpace keys) {
        if (live != null && live.size() != tensors.size()) {
            throw new IllegalArgumentException(live.size() + " masks for " + tensors.size() + " tensors");
        }
        for (int i = 0; i < tensors.size(); i++) {
            keys.requireFits(tensors.get(i));
            Mask.requireFits(liveAt(live, i), tensors.get(i));
        }
    }

    private static Mask liveAt(List<Mask> live, int i) {
        return live == null ? null : live.get(i);
    }

    /**
     * The tensors of one selection on the engine's device: all uploaded once for every pass when
     * they fit (always, on the CPU engine, where nothing is copied), else uploaded for each use.
     */
    private static final class Resident implements AutoCloseable {
        private final Engine engine;
        private final List<Tensor> tensors;
        private final EngineArena arena;
        private final List<Tensor> uploaded;

        Resident(Engine engine, List<Tensor> tensors) {
            this.engine = engine;
            this.tensors = tensors;
            long bytes = 0;
            for (Tensor t : tensors) {
                bytes += t.device().equals(engine.device()) ? 0 : t.byteSize();
            }
            if (bytes <= RESIDENT_SHARE * engine.freeMemoryBytes()) {
                this.arena = engine.openArena();
                List<Tensor> up = new ArrayList<>(tensors.size());
                try {
                    for (Tensor t : tensors) {
                        up.add(t.numel() == 0 ? null : arena.upload(t));
                    }
                } catch (RuntimeException e) {
                    arena.close();
                    throw e;
                }
                this.uploaded = up;
            } else {
                this.arena = null;
                this.uploaded = null;
            }
        }

        int size() {
            return tensors.size();
        }

        long numel(int i) {
            return tensors.get(i).numel();
        }

        /** {@code use} on (non-empty) tensor {@code i} on the engine's device. */
        <R> R apply(int i, Function<Tensor, R> use) {
            if (uploaded != null) {
                return use.apply(uploaded.get(i));
            }
            try (EngineArena once = engine.openArena()) {
                return use.apply(once.upload(tensors.get(i)));
            }
        }

        @Override
        public void close() {
            if (arena != null) {
                arena.close();
            }
        }
    }
}
