package dev.prune4j.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Byte-level BPE on a tiny vocabulary: merge order, special tokens, decoding and tokenizer.json. */
class BpeTokenizerTest {
    /** The 256 byte tokens, then merged tokens; ids 256 and 257 are special. */
    private static BpeTokenizer tiny() {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevelAlphabet.charOf(b)));
        }
        tokens.addAll(List.of("<|end|>", "<|end|>x", "ab", "abc", "bc", "Ġa", "aa", "aaaa"));
        // Rank order decides: "b c" beats "a b", so "abc" becomes a + bc, and then no merge joins them.
        List<String> merges = List.of("b c", "a b", "ab c", "Ġ a", "a a", "aa aa");
        return new BpeTokenizer(tokens, merges,
                List.of(new BpeTokenizer.SpecialToken(256, "<|end|>"), new BpeTokenizer.SpecialToken(257, "<|end|>x")),
                new Gpt2PreTokenizer(true));
    }

    @Test
    void theBestRankedPairMergesFirst() {
        BpeTokenizer t = tiny();
        assertEquals(List.of("a", "bc"), t.tokens("abc"));
        assertEquals(List.of("ab"), t.tokens("ab"));
        assertEquals(List.of("Ġa", "ab"), t.tokens(" aab"), "'Ġ a' and 'a b' do not overlap");
        // Equal ranks merge leftmost first: aaaaa -> aa a a a -> aa aa a -> aaaa a.
        assertEquals(List.of("aaaa", "a"), t.tokens("aaaaa"));
    }

    @Test
    void bytesOutsideTheMergesStayBytes() {
        BpeTokenizer t = tiny();
        int[] ids = t.encode("é");
        assertArrayEquals(new int[] {0xC3, 0xA9}, ids, "UTF-8 bytes of é, one token each");
        assertEquals("é", t.decode(ids));
        assertEquals("\uFFFD", t.decode(new int[] {0xC3}), "a cut character decodes to U+FFFD");
    }

    @Test
    void specialTokensAreCutOutLeftmostLongest() {
        BpeTokenizer t = tiny();
        assertArrayEquals(new int[] {'a', 256, 'b'}, t.encode("a<|end|>b"));
        assertArrayEquals(new int[] {257, 'y'}, t.encode("<|end|>xy"), "the longer special token wins");
        assertArrayEquals(new int[] {'<', '|', 'e', 'n', 'd', '|'}, t.encode("<|end|"));
        assertEquals("a<|end|>b", t.decode(t.encode("a<|end|>b")));
    }

    @Test
    void decodingInvertsEncoding() {
        BpeTokenizer t = tiny();
        for (String s : List.of("", "abc abc", "  leading\tand trailing  ", "digits 1234", "emoji 😀!", "\r\n\u3000")) {
            assertEquals(s, t.decode(t.encode(s)));
        }
        assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {999}));
    }

    @Test
    void bytesWithoutATokenAreDroppedAndSplitTheWord() {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            if (b != 0x04) {
                tokens.add(String.valueOf(ByteLevelAlphabet.charOf(b)));
            }
        }
        tokens.add("ab");
        BpeTokenizer t = new BpeTokenizer(tokens, List.of("a b"), List.of(), new Gpt2PreTokenizer(false));
        assertEquals(List.of("ab"), t.tokens("ab"));
        // Hugging Face drops the byte and merges nothing across it.
        assertEquals(List.of("a", "b"), t.tokens("a\u0004b"));
        assertEquals(List.of("ab", "ab"), t.tokens("ab\u0004\u0004ab"));
        assertEquals(List.of(), t.tokens("\u0004"));
    }

    @Test
    void mergesMustNameKnownTokens() {
        List<String> bytes = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            bytes.add(String.valueOf(ByteLevelAlphabet.charOf(b)));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BpeTokenizer(bytes, List.of("a b"), List.of(), new Gpt2PreTokenizer(false)));
        assertTrue(e.getMessage().contains("merge #0 'a b'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new BpeTokenizer(bytes, List.of("ab"), List.of(), new Gpt2PreTokenizer(false)));
        assertTrue(e.getMessage().contains("not two tokens"), e.getMessage());
    }

    @Test
    void tokenizerJsonRoundTrips(@TempDir Path dir) throws IOException {
        BpeTokenizer t = tiny();
        Path file = dir.resolve("tokenizer.json");
        HfTokenizerJson.write(t, file);
        BpeTokenizer back = BpeTokenizer.fromTokenizerJson(file);
        assertEquals(t.vocabSize(), back.vocabSize());
        assertEquals(t.merges(), back.merges());
        assertEquals(t.specialTokens(), back.specialTokens());
        assertTrue(back.preTokenizer().individualDigits());
        String text = "aaaaa abc <|end|>x 42";
        assertArrayEquals(t.encode(text), back.encode(text));
    }
}
