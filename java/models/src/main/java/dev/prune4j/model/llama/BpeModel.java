package dev.prune4j.model.llama;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE vocabulary and its merge list: turns the UTF-8 bytes of one word into token
 * ids as Hugging Face's {@code BPE} model does. The word starts as one symbol per byte; the
 * adjacent pair with the best (lowest) merge rank is merged, the leftmost one among equals, until
 * no adjacent pair has a merge. Symbols and merges are ids throughout: a pair of ids is looked up
 * in an open-addressing table, with no strings built per word.
 *
 * <p>A byte whose character has no token (SmolLM2's vocabulary lacks 21 of the 256, control bytes
 * and bytes that never occur in UTF-8) is dropped, and, as in Hugging Face's BPE without an unknown
 * token, no merge joins the symbols on either side of it: {@code "th\u0004e"} is {@code th, e}.
 */
final class BpeModel {
    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final int[] byteIds = new int[256];
    // Open addressing: key = left << 32 | right (never -1), value = rank << 32 | merged id.
    private final long[] mergeKeys;
    private final long[] mergeValues;
    private final int mergeMask;
    private final int merges;

    /**
     * @param tokens the vocabulary, by id, in byte-level spelling
     * @param merges the merge rules "left right" by rank (best first)
     * @throws IllegalArgumentException when a merge names unknown tokens, as Hugging Face refuses them too
     */
    BpeModel(List<String> tokens, List<String> merges) {
        this.tokens = tokens.toArray(String[]::new);
        this.ids = new HashMap<>(tokens.size() * 2);
        for (int i = 0; i < this.tokens.length; i++) {
            // Hugging Face keeps the last id of a duplicated token string; so do we.
            ids.put(this.tokens[i], i);
        }
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(ByteLevelAlphabet.charOf(b)));
            byteIds[b] = id == null ? -1 : id;
        }
        int capacity = Integer.highestOneBit(Math.max(16, merges.size() * 2)) * 2;
        this.mergeKeys = new long[capacity];
        this.mergeValues = new long[capacity];
        this.mergeMask = capacity - 1;
        Arrays.fill(mergeKeys, -1L);
        for (int rank = 0; rank < merges.size(); rank++) {
            String m = merges.get(rank);
            int space = m.indexOf(' ');
            if (space <= 0 || space != m.lastIndexOf(' ') || space == m.length() - 1) {
                throw new IllegalArgumentException("merge #" + rank + " '" + m + "' is not two tokens separated by a space");
            }
            addMerge(rank, m.substring(0, space), m.substring(space + 1));
        }
        this.merges = merges.size();
    }

    private void addMerge(int rank, String left, String right) {
        Integer l = ids.get(left);
        Integer r = ids.get(right);
        Integer merged = ids.get(left + right);
        if (l == null || r == null || merged == null) {
            throw new IllegalArgumentException("merge #" + rank + " '" + left + " " + right
                    + "' uses or makes a token that is not in the vocabulary");
        }
        long key = ((long) l << 32) | r;
        int slot = slot(key);
        while (mergeKeys[slot] != -1L) {
            if (mergeKeys[slot] == key) {
                return; // a repeated merge keeps its first (best) rank
            }
            slot = (slot + 1) & mergeMask;
        }
        mergeKeys[slot] = key;
        mergeValues[slot] = ((long) rank << 32) | merged;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mergeMask;
    }

    /** rank << 32 | merged id of the pair, or -1 when the pair has no merge. */
    private long merge(int left, int right) {
        long key = ((long) left << 32) | right;
        int slot = slot(key);
        while (true) {
            long k = mergeKeys[slot];
            if (k == key) {
                return mergeValues[slot];
            }
            if (k == -1L) {
                return -1L;
            }
            slot = (slot + 1) & mergeMask;
        }
    }

    int size() {
        return tokens.length;
    }

    int mergeCount() {
        return merges;
    }

    String token(int id) {
        return tokens[id];
    }

    /** The id of a token string, or -1. */
    int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    /** The token ids of one word given as its UTF-8 bytes. */
    int[] encodeWord(byte[] utf8) {
        int[] symbols = new int[utf8.length];
        int n = 0;
        int start = 0;
        for (byte b : utf8) {
            int id = byteIds[b & 0xFF];
            if (id < 0) {
                n = start + merge(symbols, start, n - start);
                start = n;
            } else {
                symbols[n++] = id;
            }
        }
        n = start + merge(symbols, start, n - start);
        return n == symbols.length ? symbols : Arrays.copyOf(symbols, n);
    }

    /** Merges {@code symbols[from, from + n)} in place; returns how many symbols remain. */
    private int merge(int[] symbols, int from, int n) {
        // Each round merges the best pair; words are short, so a scan beats a priority queue.
        while (n > 1) {
            long best = Long.MAX_VALUE;
            int at = -1;
            for (int i = from, end = from + n - 1; i < end; i++) {
                long m = merge(symbols[i], symbols[i + 1]);
                if (m != -1L && m < best) {
                    best = m;
                    at = i;
                }
            }
            if (at < 0) {
                break;
            }
            symbols[at] = (int) best;
            System.arraycopy(symbols, at + 2, symbols, at + 1, from + n - at - 2);
            n--;
        }
        return n;
    }
}
