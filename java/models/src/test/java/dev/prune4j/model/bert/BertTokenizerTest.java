package dev.prune4j.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BertTokenizerTest {
    private static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able",
            "aff", "##a", "hello", ",", "!", "cafe", "a", "b", "##b", "中", "x");

    private static BertTokenizer tiny(int maxLength) {
        return new BertTokenizer(new BasicTokenizer(true, true), new WordPiece(VOCAB, "[UNK]", 100),
                "[CLS]", "[SEP]", "[PAD]", maxLength);
    }

    @Test
    void greedyLongestMatchFirstWithContinuationPieces() {
        assertEquals(List.of("[CLS]", "un", "##aff", "##able", "[SEP]"), tiny(64).tokens("unaffable"));
        // "unaffa" -> un ##aff ##a: the longest piece at each step, not the fewest pieces overall.
        assertEquals(List.of("[CLS]", "un", "##aff", "##a", "[SEP]"), tiny(64).tokens("UNAFFA"));
    }

    @Test
    void aWordThatCannotBeCoveredBecomesOneUnknownToken() {
        assertEquals(List.of("[CLS]", "hello", "[UNK]", "!", "[SEP]"), tiny(64).tokens("Hello unaffz!"));
    }

    @Test
    void wordsLongerThanTheLimitAreUnknownEvenWhenCoverable() {
        assertEquals(List.of("[CLS]", "b", "[SEP]"), tiny(200).tokens("b"));
        String hundred = "b".repeat(100);
        assertEquals(101 + 1, tiny(200).encode(hundred).length); // b + 99 x ##b, plus the specials
        assertEquals(List.of("[CLS]", "[UNK]", "[SEP]"), tiny(200).tokens(hundred + "b"));
    }

    @Test
    void punctuationAccentsCaseAndCjkAreSplitOff() {
        assertEquals(List.of("[CLS]", "hello", ",", "cafe", "中", "中", "x", "[SEP]"),
                tiny(64).tokens("HELLO,Café中中x"));
    }

    @Test
    void truncationKeepsClsAndSep() {
        int[] ids = tiny(4).encode("a a a a a a");
        assertArrayEquals(new int[] {2, 13, 13, 3}, ids);
        assertArrayEquals(new int[] {2, 3}, tiny(4).encode(""));
    }

    @Test
    void missingSpecialTokenIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> new BertTokenizer(new BasicTokenizer(true, true),
                new WordPiece(VOCAB, "[UNK]", 100), "[CLS]", "[END]", "[PAD]", 8));
        assertTrue(e.getMessage().contains("[END]"), e.getMessage());
    }

    @Test
    void basicTokenizerDropsControlCharactersAndSplitsOnEveryWhitespace() {
        BasicTokenizer basic = new BasicTokenizer(true, true);
        assertEquals(List.of("ab", "c", "d", "e"), basic.split("a\u0000b\u200b c\u00a0d\u3000e"));
        assertEquals(List.of("$", "5", "+", "x", "~"), basic.split("$5+x~"));
        assertEquals(List.of("σισυφοσ"), basic.split("ΣΊΣΥΦΟΣ")); // no final-sigma rule, accents gone
    }

    /** Every string of the reference set gets exactly the ids Hugging Face's tokenizer gave it. */
    @Test
    void matchesTheReferenceTokenizerOnTheFixedSentenceSet() throws IOException {
        Map<String, Object> ref = MiniLmFixture.reference();
        BertTokenizer tokenizer = BertTokenizer.load(MiniLmFixture.requireDir(),
                ((Number) ref.get("max_seq_length")).intValue());
        int checked = 0;
        for (String key : List.of("embedding", "tokenizer_only")) {
            for (Map<String, Object> e : MiniLmFixture.entries(ref, key)) {
                String text = (String) e.get("text");
                assertArrayEquals(MiniLmFixture.ints(e.get("ids")), tokenizer.encode(text), () -> "ids of " + text);
                checked++;
            }
        }
        assertEquals(40, checked);
    }
}
