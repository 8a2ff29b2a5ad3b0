package dev.prune4j.model.llama;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into the words that byte-level BPE encodes one at a time, as Hugging Face
 * {@code tokenizers} does with a {@code ByteLevel(add_prefix_space=false, use_regex=true)}
 * pre-tokenizer, optionally preceded by {@code Digits(individual_digits=true)} (SmolLM2's
 * {@code smollm} pre-tokenizer, llama.cpp's name for the pair).
 *
 * <p>The words are the matches of GPT-2's pattern
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, found here by
 * a hand-written scanner instead of a regex engine (ten times faster, and no backtracking to
 * reason about). Alternatives are tried in order at each position, as Oniguruma does; the
 * character classes are Oniguruma's Unicode ones: {@code \p{L}} the letter categories, {@code \p{N}}
 * the number categories, {@code \s} U+0009..U+000D, U+0085 and the space, line and paragraph
 * separators. With individual digits, every number character (Rust's {@code char::is_numeric}, the
 * same categories as {@code \p{N}}) is first cut out as a piece of its own, and the pattern then
 * runs on each piece separately: a space before a digit stays a word of its own.
 */
public final class Gpt2PreTokenizer {
    /** Receives each word as a range of the text. */
    @FunctionalInterface
    public interface WordSink {
        void word(int start, int end);
    }

    private final boolean individualDigits;

    public Gpt2PreTokenizer(boolean individualDigits) {
        this.individualDigits = individualDigits;
    }

    public boolean individualDigits() {
        return individualDigits;
    }

    /** The words of {@code text}, for tests and inspection. */
    public List<String> words(String text) {
        List<String> out = new ArrayList<>();
        split(text, 0, text.length(), (s, e) -> out.add(text.substring(s, e)));
        return out;
    }

    /** Reports the words of {@code text[from, to)} to {@code sink}, in order; together they cover the range. */
    public void split(CharSequence text, int from, int to, WordSink sink) {
        if (!individualDigits) {
            scan(text, from, to, sink);
            return;
        }
        int pieceStart = from;
        int i = from;
        while (i < to) {
            int c = Character.codePointAt(text, i);
            int next = i + Character.charCount(c);
            if (isNumber(c)) {
                if (pieceStart < i) {
                    scan(text, pieceStart, i, sink);
                }
                sink.word(i, next);
                pieceStart = next;
            }
            i = next;
        }
        if (pieceStart < to) {
            scan(text, pieceStart, to, sink);
        }
    }

    private static final int LETTER = 0, NUMBER = 1, OTHER = 2, SPACE = 3;

    /** GPT-2's pattern over {@code text[from, to)}, which it treats as the whole input. */
    private static void scan(CharSequence text, int from, int to, WordSink sink) {
        int i = from;
        while (i < to) {
            int c = Character.codePointAt(text, i);
            int afterC = i + Character.charCount(c);
            if (c == '\'') {
                int len = contraction(text, afterC, to);
                if (len > 0) {
                    sink.word(i, afterC + len);
                    i = afterC + len;
                    continue;
                }
            }
            // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": an optional ASCII space, then a run of one class.
            int start = c == ' ' ? afterC : i;
            if (start < to) {
                int first = Character.codePointAt(text, start);
                int kind = kind(first);
                if (kind != SPACE) {
                    int end = start + Character.charCount(first);
                    while (end < to) {
                        int d = Character.codePointAt(text, end);
                        if (kind(d) != kind) {
                            break;
                        }
                        end += Character.charCount(d);
                    }
                    sink.word(i, end);
                    i = end;
                    continue;
                }
            }
            // c is whitespace here: "\s+(?!\S)" leaves the run's last character to the word after
            // it, unless the run ends the text or is a single character ("\s+" then takes it).
            int end = afterC;
            int last = i;
            while (end < to) {
                int d = Character.codePointAt(text, end);
                if (!isSpace(d)) {
                    break;
                }
                last = end;
                end += Character.charCount(d);
            }
            if (end < to && last > i) {
                end = last;
            }
            sink.word(i, end);
            i = end;
        }
    }

    /** Length of the contraction ({@code s t m d re ve ll}) after an apostrophe at {@code at}, or 0. */
    private static int contraction(CharSequence text, int at, int to) {
        if (at >= to) {
            return 0;
        }
        char a = text.charAt(at);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return 1;
        }
        if (at + 1 < to) {
            char b = text.charAt(at + 1);
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
                return 2;
            }
        }
        return 0;
    }

    private static int kind(int c) {
        if (c < 128) {
            // ASCII fast path.
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                return LETTER;
            }
            if (c >= '0' && c <= '9') {
                return NUMBER;
            }
            return c == ' ' || (c >= 9 && c <= 13) ? SPACE : OTHER;
        }
        if (Character.isLetter(c)) {
            return LETTER;
        }
        if (isNumber(c)) {
            return NUMBER;
        }
        return isSpace(c) ? SPACE : OTHER;
    }

    /** {@code \p{N}}: decimal digits, letter numbers, other numbers. */
    static boolean isNumber(int c) {
        if (c < 128) {
            return c >= '0' && c <= '9';
        }
        int type = Character.getType(c);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** Oniguruma's Unicode {@code \s}. */
    static boolean isSpace(int c) {
        if (c < 128) {
            return c == ' ' || (c >= 9 && c <= 13);
        }
        if (c == 0x85) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.SPACE_SEPARATOR || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR;
    }
}
