package dev.prune4j.model.bert;

import dev.prune4j.model.io.JsonFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * BERT's tokenizer for single sentences: basic tokenisation, WordPiece, then
 * {@code [CLS] pieces [SEP]}, truncated to at most {@code maxLength} ids (specials included).
 *
 * <p>Special tokens written inside the text (a literal "[SEP]") are tokenised as text, not matched
 * as special tokens as Hugging Face's fast tokenizer does; prose never contains them.
 */
public final class BertTokenizer {
    /** The reference's limit on characters per word before it gives up and emits the unknown token. */
    public static final int MAX_CHARS_PER_WORD = 100;

    private final BasicTokenizer basic;
    private final WordPiece wordPiece;
    private final int clsId;
    private final int sepId;
    private final int padId;
    private final int maxLength;

    public BertTokenizer(BasicTokenizer basic, WordPiece wordPiece, String cls, String sep, String pad, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must leave room for [CLS] and [SEP], got " + maxLength);
        }
        this.basic = basic;
        this.wordPiece = wordPiece;
        this.clsId = requireToken(wordPiece, cls);
        this.sepId = requireToken(wordPiece, sep);
        this.padId = requireToken(wordPiece, pad);
        this.maxLength = maxLength;
    }

    private static int requireToken(WordPiece wp, String token) {
        int id = wp.id(token);
        if (id < 0) {
            throw new IllegalArgumentException("the vocabulary has no special token '" + token + "'");
        }
        return id;
    }

    /**
     * The tokenizer of a Hugging Face model folder: {@code vocab.txt} and
     * {@code tokenizer_config.json} (lower-casing, accents, special tokens).
     *
     * @param maxLength the most ids per sentence (sentence-transformers' {@code max_seq_length})
     */
    public static BertTokenizer load(Path modelDir, int maxLength) throws IOException {
        Map<String, Object> config = JsonFiles.readObject(modelDir.resolve("tokenizer_config.json"));
        boolean lower = !Boolean.FALSE.equals(config.get("do_lower_case"));
        Object strip = config.get("strip_accents");
        boolean stripAccents = strip == null ? lower : Boolean.TRUE.equals(strip);
        if (Boolean.FALSE.equals(config.get("tokenize_chinese_chars"))) {
            throw new IOException(modelDir.resolve("tokenizer_config.json")
                    + ": tokenize_chinese_chars=false is not supported");
        }
        WordPiece wp = new WordPiece(WordPiece.readVocabulary(modelDir.resolve("vocab.txt")),
                string(config, "unk_token", "[UNK]"), MAX_CHARS_PER_WORD);
        return new BertTokenizer(new BasicTokenizer(lower, stripAccents), wp,
                string(config, "cls_token", "[CLS]"), string(config, "sep_token", "[SEP]"),
                string(config, "pad_token", "[PAD]"), maxLength);
    }

    private static String string(Map<String, Object> config, String key, String fallback) {
        // Newer tokenizer configs write special tokens as {"content": "[UNK]", ...} objects.
        Object v = config.get(key);
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Map<?, ?> m && m.get("content") instanceof String s) {
            return s;
        }
        return fallback;
    }

    /** The ids of {@code text}: {@code [CLS]}, its pieces (truncated), {@code [SEP]}. */
    public int[] encode(String text) {
        IntList ids = new IntList();
        ids.add(clsId);
        for (String word : basic.split(text)) {
            wordPiece.encodeWord(word, ids);
            if (ids.size() >= maxLength - 1) {
                break;
            }
        }
        if (ids.size() > maxLength - 1) {
            ids.truncate(maxLength - 1);
        }
        ids.add(sepId);
        return ids.toArray();
    }

    /** The ids of each sentence. */
    public int[][] encode(List<String> texts) {
        int[][] out = new int[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = encode(texts.get(i));
        }
        return out;
    }

    /** The pieces of {@code text} as strings, specials included. For reading and debugging. */
    public List<String> tokens(String text) {
        return java.util.Arrays.stream(encode(text)).mapToObj(wordPiece::token).toList();
    }

    public int maxLength() {
        return maxLength;
    }

    public int padId() {
        return padId;
    }

    public WordPiece wordPiece() {
        return wordPiece;
    }
}
