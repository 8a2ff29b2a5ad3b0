package dev.prune4j.model.llama;

import dev.prune4j.gguf.GgufArray;
import dev.prune4j.gguf.GgufException;
import dev.prune4j.gguf.GgufMetadata;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A byte-level BPE tokenizer (GPT-2's scheme, as SmolLM2 and LLaMA-3 use it) that gives the ids
 * Hugging Face {@code tokenizers} gives with the same vocabulary, merges and pre-tokenizer:
 * <ol>
 *   <li>special tokens ({@code <|im_start|>}) are cut out of the raw text first, leftmost-longest,
 *       and map to their ids;</li>
 *   <li>the rest is split into words by the {@link Gpt2PreTokenizer};</li>
 *   <li>each word's UTF-8 bytes are merged by the {@link BpeModel}.</li>
 * </ol>
 * No BOS or EOS is added: {@link #encode} is {@code tokenizer.encode(text, add_special_tokens=False)}.
 * Thread-safe; words already seen are served from a cache.
 */
public final class BpeTokenizer {
    /** A token matched in the raw text before pre-tokenisation. */
    public record SpecialToken(int id, String content) {
        public SpecialToken {
            Objects.requireNonNull(content, "content");
            if (content.isEmpty()) {
                throw new IllegalArgumentException("special token " + id + " is empty");
            }
        }
    }

    /** GGUF token type of control tokens ({@code <|endoftext|>}): special, matched in raw text. */
    static final int GGUF_CONTROL = 3;
    /** GGUF token type of user-defined tokens: also matched in raw text. */
    static final int GGUF_USER_DEFINED = 4;
    private static final int CACHE_LIMIT = 1 << 18;

    private final BpeModel model;
    private final List<String> merges;
    private final Gpt2PreTokenizer preTokenizer;
    private final List<SpecialToken> specials;
    private final boolean[] isSpecial;
    /** Specials by first character, longest first. */
    private final Map<Character, List<SpecialToken>> specialsByFirst = new java.util.HashMap<>();
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param tokens       the vocabulary by id, in byte-level spelling
     * @param merges       merge rules {@code "left right"}, best first
     * @param specials     tokens cut out of the raw text; their ids must be in the vocabulary
     * @param preTokenizer how text is split into words
     */
    public BpeTokenizer(List<String> tokens, List<String> merges, List<SpecialToken> specials,
                        Gpt2PreTokenizer preTokenizer) {
        this.model = new BpeModel(tokens, merges);
        this.merges = List.copyOf(merges);
        this.preTokenizer = Objects.requireNonNull(preTokenizer, "preTokenizer");
        this.specials = List.copyOf(specials);
        this.isSpecial = new boolean[tokens.size()];
        for (SpecialToken s : this.specials) {
            if (s.id() < 0 || s.id() >= tokens.size()) {
                throw new IllegalArgumentException("special token '" + s.content() + "' has id " + s.id()
                        + ", outside the vocabulary of " + tokens.size());
            }
            isSpecial[s.id()] = true;
            specialsByFirst.computeIfAbsent(s.content().charAt(0), c -> new ArrayList<>()).add(s);
        }
        for (List<SpecialToken> l : specialsByFirst.values()) {
            l.sort(Comparator.comparingInt((SpecialToken s) -> -s.content().length()));
        }
    }

    /**
     * The tokenizer a llama.cpp GGUF carries: {@code tokenizer.ggml.model = gpt2}, its tokens and
     * merges, control and user-defined tokens as special tokens, and the pre-tokenizer named by
     * {@code tokenizer.ggml.pre} ({@code smollm}: digits one by one, then GPT-2's pattern;
     * {@code gpt2} or {@code default}: GPT-2's pattern alone).
     */
    public static BpeTokenizer fromGguf(GgufMetadata metadata) throws GgufException {
        String model = metadata.string("tokenizer.ggml.model");
        if (!model.equals("gpt2")) {
            throw new IllegalArgumentException("tokenizer.ggml.model is '" + model
                    + "'; only byte-level BPE ('gpt2') is supported");
        }
        String pre = metadata.contains("tokenizer.ggml.pre") ? metadata.string("tokenizer.ggml.pre") : "default";
        Gpt2PreTokenizer preTokenizer = switch (pre) {
            case "smollm" -> new Gpt2PreTokenizer(true);
            case "gpt2", "default" -> new Gpt2PreTokenizer(false);
            default -> throw new IllegalArgumentException("tokenizer.ggml.pre '" + pre
                    + "' is not supported (supported: smollm, gpt2, default)");
        };
        List<String> tokens = metadata.strings("tokenizer.ggml.tokens");
        List<String> merges = metadata.strings("tokenizer.ggml.merges");
        List<SpecialToken> specials = new ArrayList<>();
        if (metadata.contains("tokenizer.ggml.token_type")) {
            GgufArray types = metadata.array("tokenizer.ggml.token_type");
            long[] t = types.integers();
            if (t.length != tokens.size()) {
                throw new IllegalArgumentException("tokenizer.ggml.token_type has " + t.length + " entries for "
                        + tokens.size() + " tokens");
            }
            for (int id = 0; id < t.length; id++) {
                if (t[id] == GGUF_CONTROL || t[id] == GGUF_USER_DEFINED) {
                    specials.add(new SpecialToken(id, tokens.get(id)));
                }
            }
        }
        return new BpeTokenizer(tokens, merges, specials, preTokenizer);
    }

    /** The tokenizer of a Hugging Face {@code tokenizer.json} of the shape {@link HfTokenizerJson} writes. */
    public static BpeTokenizer fromTokenizerJson(Path file) throws java.io.IOException {
        return HfTokenizerJson.read(file);
    }

    public int vocabSize() {
        return model.size();
    }

    /** The token's byte-level spelling ({@code Ġthe}). */
    public String token(int id) {
        return model.token(id);
    }

    /** The id of a token spelled in byte-level form, or -1. */
    public int id(String token) {
        return model.id(token);
    }

    /** Merge rules, best first. */
    public List<String> merges() {
        return merges;
    }

    public List<SpecialToken> specialTokens() {
        return specials;
    }

    public Gpt2PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    /** The token ids of {@code text}; no BOS or EOS is added. */
    public int[] encode(String text) {
        Ids out = new Ids(Math.max(16, text.length() / 3));
        int segment = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            SpecialToken s = specials.isEmpty() ? null : specialAt(text, i);
            if (s == null) {
                i++;
                continue;
            }
            encodeOrdinary(text, segment, i, out);
            out.add(s.id());
            i += s.content().length();
            segment = i;
        }
        encodeOrdinary(text, segment, n, out);
        return out.toArray();
    }

    private SpecialToken specialAt(String text, int i) {
        List<SpecialToken> candidates = specialsByFirst.get(text.charAt(i));
        if (candidates != null) {
            for (SpecialToken s : candidates) {
                if (text.startsWith(s.content(), i)) {
                    return s;
                }
            }
        }
        return null;
    }

    private void encodeOrdinary(String text, int from, int to, Ids out) {
        if (from < to) {
            preTokenizer.split(text, from, to, (s, e) -> out.addAll(word(text.substring(s, e))));
        }
    }

    private int[] word(String word) {
        int[] ids = cache.get(word);
        if (ids == null) {
            ids = model.encodeWord(word.getBytes(StandardCharsets.UTF_8));
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(word, ids);
        }
        return ids;
    }

    /** The byte-level spelling of each token of {@code text}, for inspection. */
    public List<String> tokens(String text) {
        return Arrays.stream(encode(text)).mapToObj(model::token).toList();
    }

    /**
     * The text of {@code ids}: byte-level tokens back to their bytes, special tokens as written,
     * the whole decoded as UTF-8 (invalid sequences, as a cut inside a character gives, become
     * U+FFFD).
     */
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 0 || id >= model.size()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + model.size());
            }
            String t = model.token(id);
            byte[] b = isSpecial[id] ? null : ByteLevelAlphabet.bytesOf(t);
            bytes.writeBytes(b != null ? b : t.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A growable int array, so ids are not boxed. */
    private static final class Ids {
        private int[] values;
        private int size;

        Ids(int capacity) {
            values = new int[capacity];
        }

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        void addAll(int[] v) {
            if (size + v.length > values.length) {
                values = Arrays.copyOf(values, Math.max(size * 2, size + v.length));
            }
            System.arraycopy(v, 0, values, size, v.length);
            size += v.length;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
