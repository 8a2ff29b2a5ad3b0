package dev.prune4j.model.llama;

import java.util.Arrays;

/**
 * Non-overlapping windows of a token stream, the unit of the perplexity protocol: window {@code i}
 * is tokens {@code [i * C, (i + 1) * C)}. Evaluation scores the first N windows of the evaluation
 * text, calibration feeds the first K windows of the calibration text.
 */
public final class TokenWindows {
    private TokenWindows() {}

    /** The first {@code count} windows of {@code context} tokens; an error when the tokens do not fill them. */
    public static int[][] first(int[] tokens, int count, int context) {
        if (count < 1 || context < 2) {
            throw new IllegalArgumentException("need at least one window of at least 2 tokens, asked for " + count
                    + " of " + context);
        }
        long needed = (long) count * context;
        if (needed > tokens.length) {
            throw new IllegalArgumentException(count + " windows of " + context + " tokens need " + needed
                    + " tokens; the text has " + tokens.length + " (" + tokens.length / context + " windows)");
        }
        int[][] windows = new int[count][];
        for (int i = 0; i < count; i++) {
            windows[i] = Arrays.copyOfRange(tokens, i * context, (i + 1) * context);
        }
        return windows;
    }

    /** The first {@code count} windows of {@code context} tokens of {@code text} (no special tokens added). */
    public static int[][] first(BpeTokenizer tokenizer, String text, int count, int context) {
        return first(tokenizer.encode(text), count, context);
    }

    /** How many whole windows of {@code context} tokens {@code tokens} hold. */
    public static int available(int[] tokens, int context) {
        return tokens.length / context;
    }
}
