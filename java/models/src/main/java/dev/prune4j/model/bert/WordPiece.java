package dev.prune4j.model.bert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WordPiece: each word becomes the longest vocabulary entry that starts it, then the longest
 * {@code ##}-prefixed entry that continues it, and so on. A word that cannot be covered this way,
 * or that is longer than {@code maxCharsPerWord} characters, becomes the unknown token.
 */
public final class WordPiece {
    public static final String CONTINUATION = "##";

    private final Map<String, Integer> ids;
    private final String[] tokens;
    private final int unkId;
    private final int maxCharsPerWord;

    /**
     * @param vocabulary the tokens in id order (id = position)
     * @param unkToken   the token words that cannot be split become; must be in the vocabulary
     */
    public WordPiece(List<String> vocabulary, String unkToken, int maxCharsPerWord) {
        this.tokens = vocabulary.toArray(String[]::new);
        this.ids = new HashMap<>(tokens.length * 2);
        for (int i = 0; i < tokens.length; i++) {
            // The first occurrence wins, as when the reference reads vocab.txt.
            ids.putIfAbsent(tokens[i], i);
        }
        Integer unk = ids.get(unkToken);
        if (unk == null) {
            throw new IllegalArgumentException("the vocabulary has no unknown token '" + unkToken + "'");
        }
        this.unkId = unk;
        this.maxCharsPerWord = maxCharsPerWord;
    }

    /** Reads {@code vocab.txt}: one token per line, the line number is the id. */
    public static List<String> readVocabulary(Path vocabTxt) throws IOException {
        List<String> lines = Files.readAllLines(vocabTxt, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new IOException(vocabTxt + ": empty vocabulary");
        }
        return lines;
    }

    public int size() {
        return tokens.length;
    }

    /** The id of {@code token}, or -1 when it is not in the vocabulary. */
    public int id(String token) {
        return ids.getOrDefault(token, -1);
    }

    public String token(int id) {
        return tokens[id];
    }

    public int unkId() {
        return unkId;
    }

    /** Appends the ids of {@code word}'s pieces to {@code out}. */
    public void encodeWord(String word, IntList out) {
        if (word.codePointCount(0, word.length()) > maxCharsPerWord) {
            out.add(unkId);
            return;
        }
        int mark = out.size();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            int found = -1;
            while (end > start) {
                String piece = word.substring(start, end);
                Integer id = ids.get(start > 0 ? CONTINUATION + piece : piece);
                if (id != null) {
                    found = id;
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (found < 0) {
                out.truncate(mark);
                out.add(unkId);
                return;
            }
            out.add(found);
            start = end;
        }
    }
}
