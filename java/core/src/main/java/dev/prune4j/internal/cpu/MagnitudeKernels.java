package dev.prune4j.internal.cpu;

import dev.prune4j.internal.parallel.Parallel;
import dev.prune4j.mask.KeySpace;
import dev.prune4j.mask.Mask;
import dev.prune4j.mask.RadixPass;
import dev.prune4j.mask.ThresholdMask;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The CPU engine's mask kernels (magnitude histogram, prune-below, per-row, N:M, apply-mask), the
 * reference the CUDA kernels are tested against. Work is split into chunks of whole 64-bit mask
 * words so that threads never share a mask word. Arguments were checked by the facades.
 */
public final class MagnitudeKernels {
    /** Elements per parallel chunk; a multiple of 64 so chunks own whole mask words. */
    static final int CHUNK = 1 << 18;
    /** Keys decoded at a time inside a chunk; a multiple of 64 that divides {@link #CHUNK}. */
    static final int BLOCK = 1 << 12;

    private MagnitudeKernels() {}

    private static int chunkCount(long numel) {
        return (int) Math.max(1, (numel + CHUNK - 1) / CHUNK);
    }

    public static void magnitudeHistogram(Parallel par, Tensor t, Mask live, KeySpace keys, RadixPass pass,
                                          long[] histogram) {
        MagnitudeKeys k = new MagnitudeKeys(t, keys);
        long numel = t.numel();
        int chunks = chunkCount(numel);
        long[][] partial = new long[chunks][];
        par.forEach(new Tensor[] {t}, chunks, c -> {
            long[] h = new long[pass.buckets()];
            int[] blockKeys = new int[BLOCK];
            long from = (long) c * CHUNK;
            long to = Math.min(numel, from + CHUNK);
            long[] words = live == null ? null : live.words();
            int shift = pass.shift();
            int digitMask = pass.buckets() - 1;
            int prefixShift = pass.shift() + pass.bits();
            int prefix = pass.prefix();
            for (long block = from; block < to; block += BLOCK) {
                int count = (int) Math.min(BLOCK, to - block);
                k.keys(block, count, blockKeys);
                for (int j = 0; j < count; j++) {
                    long i = block + j;
                    if (words != null && (words[(int) (i >>> 6)] & (1L << i)) == 0) {
                        continue;
                    }
                    int key = blockKeys[j];
                    if ((key >>> prefixShift) == prefix) {
                        h[(key >>> shift) & digitMask]++;
                    }
                }
            }
            partial[c] = h;
        });
        for (long[] h : partial) {
            for (int b = 0; b < h.length; b++) {
                histogram[b] += h[b];
            }
        }
    }

    public static ThresholdMask pruneBelow(Parallel par, Tensor t, Mask live, KeySpace keys, int threshold,
                                           long tiesToPrune) {
        MagnitudeKeys k = new MagnitudeKeys(t, keys);
        Mask out = Mask.allPruned(t.shape());
        long[] outWords = out.words();
        long[] liveWords = live == null ? null : live.words();
        long numel = t.numel();
        int chunks = chunkCount(numel);
        long[] tiesPerChunk = new long[chunks];
        // Phase 1: keep every live element at or above the threshold; count the ties per chunk.
        par.forEach(new Tensor[] {t}, chunks, c -> {
            int[] blockKeys = new int[BLOCK];
            long from = (long) c * CHUNK;
            long to = Math.min(numel, from + CHUNK);
            long ties = 0;
            for (long block = from; block < to; block += BLOCK) {
                int count = (int) Math.min(BLOCK, to - block);
                k.keys(block, count, blockKeys);
                // Blocks are whole mask words (BLOCK is a multiple of 64): build each word locally.
                for (int w = 0; w < count; w += 64) {
                    long word = 0;
                    int end = Math.min(count, w + 64);
                    for (int j = w; j < end; j++) {
                        int key = blockKeys[j];
                        if (key >= threshold) {
                            word |= 1L << (j - w);
                            ties += key == threshold ? 1 : 0;
                        }
                    }
                    int wordIndex = (int) ((block + w) >>> 6);
                    if (liveWords != null) {
                        // Pruned weights stay pruned and are no ties of this selection.
                        long dead = word & ~liveWords[wordIndex];
                        for (long d = dead; d != 0; d &= d - 1) {
                            ties -= blockKeys[w + Long.numberOfTrailingZeros(d)] == threshold ? 1 : 0;
                        }
                        word &= liveWords[wordIndex];
                    }
                    outWords[wordIndex] = word;
                }
            }
            tiesPerChunk[c] = ties;
        });
        // Phase 2: the first tiesToPrune ties in flat order are pruned after all.
        long[] budget = new long[chunks];
        long remaining = Math.max(0, tiesToPrune);
        long pruned = 0;
        for (int c = 0; c < chunks && remaining > 0; c++) {
            budget[c] = Math.min(remaining, tiesPerChunk[c]);
            remaining -= budget[c];
            pruned += budget[c];
        }
        par.forEach(new Tensor[] {t}, chunks, c -> {
            long left = budget[c];
            long from = (long) c * CHUNK;
            long to = Math.min(numel, from + CHUNK);
            for (long i = from; i < to && left > 0; i++) {
                if ((outWords[(int) (i >>> 6)] & (1L << i)) != 0 && k.key(i) == threshold) {
                    outWords[(int) (i >>> 6)] &= ~(1L << i);
                    left--;
                }
            }
        });
        return new ThresholdMask(out, pruned);
    }

    public static Mask pruneSmallestPerRow(Parallel par, Tensor t, Mask live, int perRow) {
        long cols = t.cols();
        MagnitudeKeys k = new MagnitudeKeys(t, KeySpace.forDType(t.dtype()));
        Mask out = live == null ? Mask.allKept(t.shape()) : live.copy();
        long rows = t.rows();
        // Rows share mask words when cols is not a multiple of 64, so each task writes its pruned
        // positions into its own list first and the mask is updated after the parallel part.
        long[][] prunedPerRow = new long[(int) rows][];
        par.forEach(new Tensor[] {t}, (int) rows, r -> {
            long base = r * cols;
            int[] rowKeys = new int[(int) cols];
            k.keys(base, (int) cols, rowKeys);
            long[] sortKeys = new long[(int) cols];
            int liveCount = 0;
            for (int j = 0; j < cols; j++) {
                if (live != null && !live.isKept(base + j)) {
                    continue;
                }
                // Key in the high half, column in the low half: orders by magnitude, then index.
                sortKeys[liveCount++] = ((long) rowKeys[j] << 32) | j;
            }
            int alreadyPruned = (int) cols - liveCount;
            int toPrune = perRow - alreadyPruned;
            if (toPrune <= 0) {
                prunedPerRow[r] = new long[0];
                return;
            }
            LongSelect.smallest(sortKeys, liveCount, toPrune);
            long[] positions = new long[toPrune];
            for (int p = 0; p < toPrune; p++) {
                positions[p] = base + (sortKeys[p] & 0xFFFFFFFFL);
            }
            prunedPerRow[r] = positions;
        });
        for (long[] positions : prunedPerRow) {
            for (long i : positions) {
                out.prune(i);
            }
        }
        return out;
    }

    public static Mask pruneNm(Parallel par, Tensor t, int n, int m) {
        MagnitudeKeys k = new MagnitudeKeys(t, KeySpace.forDType(t.dtype()));
        Mask out = Mask.allPruned(t.shape());
        long[] outWords = out.words();
        long numel = t.numel();
        long groups = numel / m;
        // Chunks of whole groups that also cover whole mask words: lcm(m, 64) elements at least.
        long groupsPerChunk = Math.max(1, CHUNK / lcm(m, 64)) * (lcm(m, 64) / m);
        int chunks = (int) Math.max(1, (groups + groupsPerChunk - 1) / groupsPerChunk);
        par.forEach(new Tensor[] {t}, chunks, c -> {
            int[] order = new int[m];
            long gFrom = c * groupsPerChunk;
            long gTo = Math.min(groups, gFrom + groupsPerChunk);
            int[] keys = new int[(int) ((gTo - gFrom) * m)];
            k.keys(gFrom * m, keys.length, keys);
            for (long g = gFrom; g < gTo; g++) {
                int off = (int) ((g - gFrom) * m);
                for (int j = 0; j < m; j++) {
                    order[j] = j;
                }
                // Insertion sort by (key descending, index ascending): the first n are kept.
                for (int a = 1; a < m; a++) {
                    int x = order[a];
                    int b = a - 1;
                    while (b >= 0 && keys[off + order[b]] < keys[off + x]) {
                        order[b + 1] = order[b];
                        b--;
                    }
                    order[b + 1] = x;
                }
                long base = g * m;
                for (int j = 0; j < n; j++) {
                    long i = base + order[j];
                    outWords[(int) (i >>> 6)] |= 1L << i;
                }
            }
        });
        return out;
    }

    private static long lcm(long a, long b) {
        long x = a;
        long y = b;
        while (y != 0) {
            long r = x % y;
            x = y;
            y = r;
        }
        return a / x * b;
    }

    public static void applyMask(Parallel par, Tensor src, Mask keep, Tensor dst) {
        MemorySegment from = src.data();
        MemorySegment to = dst.data();
        int elementBytes = src.dtype().byteSize();
        long numel = src.numel();
        long[] words = keep.words();
        int chunks = chunkCount(numel);
        par.forEach(new Tensor[] {src, dst}, chunks, c -> {
            long first = (long) c * CHUNK;
            long last = Math.min(numel, first + CHUNK);
            if (!from.equals(to)) {
                MemorySegment.copy(from, first * elementBytes, to, first * elementBytes, (last - first) * elementBytes);
            }
            // Visit only the pruned weights: the clear bits of each mask word.
            for (long w = first >>> 6; w < (last + 63) >>> 6; w++) {
                long pruned = ~words[(int) w];
                while (pruned != 0) {
                    long i = (w << 6) + Long.numberOfTrailingZeros(pruned);
                    if (i >= last) {
                        break;
                    }
                    zeroElement(to, i, elementBytes);
                    pruned &= pruned - 1;
                }
            }
        });
    }

    private static void zeroElement(MemorySegment data, long i, int elementBytes) {
        switch (elementBytes) {
            case 2 -> data.set(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2, (short) 0);
            case 4 -> data.set(ValueLayout.JAVA_INT_UNALIGNED, i * 4, 0);
            case 8 -> data.set(ValueLayout.JAVA_LONG_UNALIGNED, i * 8, 0L);
            default -> data.asSlice(i * elementBytes, elementBytes).fill((byte) 0);
        }
    }
}
