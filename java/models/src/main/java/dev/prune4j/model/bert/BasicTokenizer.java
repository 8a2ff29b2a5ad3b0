package dev.prune4j.model.bert;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * BERT's basic tokenisation, as the Hugging Face {@code tokenizers} library does it
 * ({@code BertNormalizer} then {@code BertPreTokenizer}): control characters are dropped, every
 * kind of whitespace becomes a separator, CJK ideographs become words of their own, accents are
 * stripped and text is lower-cased (when asked), and each punctuation character is a word.
 */
public final class BasicTokenizer {
    private final boolean lowerCase;
    private final boolean stripAccents;

    /**
     * @param lowerCase    lower-case every character ({@code do_lower_case})
     * @param stripAccents remove combining marks after canonical decomposition; BERT's
     *                     {@code strip_accents: null} means "as lowerCase"
     */
    public BasicTokenizer(boolean lowerCase, boolean stripAccents) {
        this.lowerCase = lowerCase;
        this.stripAccents = stripAccents;
    }

    /** The words of {@code text}, in order. */
    public List<String> split(String text) {
        String normalized = normalize(text);
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < normalized.length(); ) {
            int cp = normalized.codePointAt(i);
            i += Character.charCount(cp);
            if (isWhitespace(cp)) {
                flush(word, words);
            } else if (isPunctuation(cp)) {
                flush(word, words);
                words.add(new String(Character.toChars(cp)));
            } else {
                word.appendCodePoint(cp);
            }
        }
        flush(word, words);
        return words;
    }

    /** The normaliser alone: clean-up, CJK spacing, accent stripping, lower-casing, in that order. */
    String normalize(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                continue;
            }
            if (isWhitespace(cp)) {
                out.append(' ');
            } else if (isCjk(cp)) {
                out.append(' ').appendCodePoint(cp).append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        }
        String s = out.toString();
        if (stripAccents) {
            s = stripMarks(Normalizer.normalize(s, Normalizer.Form.NFD));
        }
        if (lowerCase) {
            s = lowerCasePerCharacter(s);
        }
        return s;
    }

    private static String stripMarks(String decomposed) {
        StringBuilder out = new StringBuilder(decomposed.length());
        decomposed.codePoints()
                .filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK)
                .forEach(out::appendCodePoint);
        return out.toString();
    }

    // The reference lower-cases character by character (full Unicode mappings, no context), so a
    // final sigma stays a plain sigma, unlike String.toLowerCase on the whole string.
    private static String lowerCasePerCharacter(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x80) {
                out.append((char) (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
            } else {
                out.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT));
            }
        }
        return out.toString();
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    /** Tab, newline and carriage return, and every character with Unicode's White_Space property. */
    static boolean isWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || cp == 0x85
                || Character.isSpaceChar(cp);
    }

    /** Unicode's "other" categories (Cc, Cf, Cn, Co, Cs), except tab, newline and carriage return. */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.PRIVATE_USE,
                 Character.SURROGATE -> true;
            default -> false;
        };
    }

    /** ASCII punctuation and symbols, and every character of Unicode's punctuation categories. */
    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** The CJK Unified Ideograph blocks BERT treats as one-character words. */
    static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
