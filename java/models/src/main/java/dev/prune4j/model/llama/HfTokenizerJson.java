package dev.prune4j.model.llama;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code tokenizer.json} for a byte-level BPE tokenizer: written so that
 * {@code tokenizers.Tokenizer.from_file} rebuilds the same tokenizer, and read back for the
 * shapes this library can run (no normaliser; a {@code ByteLevel} pre-tokenizer without prefix
 * space, optionally after {@code Digits(individual_digits=true)}; a plain {@code BPE} model).
 */
public final class HfTokenizerJson {
    private static final JSON JSON_WRITER = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES)
            .with(JSON.Feature.PRETTY_PRINT_OUTPUT);

    private HfTokenizerJson() {}

    /** Writes {@code tokenizer} to {@code file} in the {@code tokenizers} 0.2x format. */
    public static void write(BpeTokenizer tokenizer, Path file) throws IOException {
        Files.writeString(file, JSON_WRITER.asString(toJson(tokenizer)));
    }

    static Map<String, Object> toJson(BpeTokenizer tokenizer) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        List<Object> added = new ArrayList<>();
        for (BpeTokenizer.SpecialToken s : tokenizer.specialTokens()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", s.id());
            t.put("content", s.content());
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
            added.add(t);
        }
        root.put("added_tokens", added);
        root.put("normalizer", null);
        Map<String, Object> byteLevel = byteLevel(false, true);
        if (tokenizer.preTokenizer().individualDigits()) {
            root.put("pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(
                    Map.of("type", "Digits", "individual_digits", true), byteLevel)));
        } else {
            root.put("pre_tokenizer", byteLevel);
        }
        root.put("post_processor", null);
        root.put("decoder", byteLevel(true, true));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int id = 0; id < tokenizer.vocabSize(); id++) {
            vocab.put(tokenizer.token(id), id);
        }
        model.put("vocab", vocab);
        List<Object> merges = new ArrayList<>(tokenizer.merges().size());
        for (String m : tokenizer.merges()) {
            int space = m.indexOf(' ');
            merges.add(List.of(m.substring(0, space), m.substring(space + 1)));
        }
        model.put("merges", merges);
        root.put("model", model);
        return root;
    }

    private static Map<String, Object> byteLevel(boolean addPrefixSpace, boolean trimOffsets) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "ByteLevel");
        m.put("add_prefix_space", addPrefixSpace);
        m.put("trim_offsets", trimOffsets);
        m.put("use_regex", true);
        return m;
    }

    /** Reads a {@code tokenizer.json}; a shape this library cannot run is an error naming the field. */
    public static BpeTokenizer read(Path file) throws IOException {
        Map<String, Object> root;
        try (InputStream in = Files.newInputStream(file)) {
            root = JSON.std.mapFrom(in);
        }
        Reader r = new Reader(file);
        if (root.get("normalizer") != null) {
            throw r.error("normalizer", "must be null, is " + root.get("normalizer"));
        }
        Gpt2PreTokenizer pre = r.preTokenizer(root.get("pre_tokenizer"));
        Map<String, Object> model = r.map(root.get("model"), "model");
        if (!"BPE".equals(model.get("type"))) {
            throw r.error("model.type", "must be BPE, is " + model.get("type"));
        }
        for (String flag : List.of("byte_fallback", "ignore_merges", "fuse_unk")) {
            if (Boolean.TRUE.equals(model.get(flag))) {
                throw r.error("model." + flag, "is true, which this tokenizer does not implement");
            }
        }
        for (String absent : List.of("dropout", "continuing_subword_prefix", "end_of_word_suffix")) {
            if (model.get(absent) != null) {
                throw r.error("model." + absent, "must be null, is " + model.get(absent));
            }
        }
        List<String> tokens = r.vocab(r.map(model.get("vocab"), "model.vocab"));
        List<String> merges = r.merges(model.get("merges"));
        List<BpeTokenizer.SpecialToken> specials = new ArrayList<>();
        Object added = root.get("added_tokens");
        if (added != null) {
            for (Object o : r.list(added, "added_tokens")) {
                Map<String, Object> t = r.map(o, "added_tokens[]");
                specials.add(new BpeTokenizer.SpecialToken(r.integer(t.get("id"), "added_tokens[].id"),
                        (String) t.get("content")));
            }
        }
        try {
            return new BpeTokenizer(tokens, merges, specials, pre);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private record Reader(Path file) {
        IOException error(String field, String problem) {
            return new IOException(file + ": " + field + " " + problem);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> map(Object o, String field) throws IOException {
            if (!(o instanceof Map<?, ?> m)) {
                throw error(field, "is not a JSON object");
            }
            return (Map<String, Object>) m;
        }

        List<?> list(Object o, String field) throws IOException {
            if (!(o instanceof List<?> l)) {
                throw error(field, "is not a JSON array");
            }
            return l;
        }

        int integer(Object o, String field) throws IOException {
            if (!(o instanceof Number n) || n.doubleValue() != n.intValue()) {
                throw error(field, "is not an integer: " + o);
            }
            return n.intValue();
        }

        Gpt2PreTokenizer preTokenizer(Object o) throws IOException {
            Map<String, Object> p = map(o, "pre_tokenizer");
            if ("ByteLevel".equals(p.get("type"))) {
                checkByteLevel(p);
                return new Gpt2PreTokenizer(false);
            }
            List<?> steps = "Sequence".equals(p.get("type")) ? list(p.get("pretokenizers"), "pre_tokenizer.pretokenizers")
                    : List.of();
            if (steps.size() == 2) {
                Map<String, Object> digits = map(steps.get(0), "pre_tokenizer.pretokenizers[0]");
                Map<String, Object> byteLevel = map(steps.get(1), "pre_tokenizer.pretokenizers[1]");
                if ("Digits".equals(digits.get("type")) && Boolean.TRUE.equals(digits.get("individual_digits"))
                        && "ByteLevel".equals(byteLevel.get("type"))) {
                    checkByteLevel(byteLevel);
                    return new Gpt2PreTokenizer(true);
                }
            }
            throw error("pre_tokenizer", "is not ByteLevel or Sequence[Digits(individual_digits), ByteLevel]: " + p);
        }

        void checkByteLevel(Map<String, Object> p) throws IOException {
            if (!Boolean.FALSE.equals(p.get("add_prefix_space")) || Boolean.FALSE.equals(p.get("use_regex"))) {
                throw error("pre_tokenizer", "ByteLevel must have add_prefix_space false and use_regex true: " + p);
            }
        }

        List<String> vocab(Map<String, Object> vocab) throws IOException {
            String[] byId = new String[vocab.size()];
            for (Map.Entry<String, Object> e : vocab.entrySet()) {
                int id = integer(e.getValue(), "model.vocab['" + e.getKey() + "']");
                if (id < 0 || id >= byId.length || byId[id] != null) {
                    throw error("model.vocab", "ids are not 0.." + (byId.length - 1) + " each once (at '" + e.getKey()
                            + "': " + id + ")");
                }
                byId[id] = e.getKey();
            }
            return Arrays.asList(byId);
        }

        List<String> merges(Object o) throws IOException {
            List<?> l = list(o, "model.merges");
            List<String> out = new ArrayList<>(l.size());
            for (Object m : l) {
                if (m instanceof String s) {
                    out.add(s);
                } else if (m instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof String a
                        && pair.get(1) instanceof String b) {
                    out.add(a + " " + b);
                } else {
                    throw error("model.merges", "holds " + m + ", neither \"a b\" nor [\"a\", \"b\"]");
                }
            }
            return out;
        }
    }
}
