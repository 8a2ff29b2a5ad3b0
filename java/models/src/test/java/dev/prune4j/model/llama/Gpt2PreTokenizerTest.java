package dev.prune4j.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Words as Hugging Face's {@code Sequence([Digits(individual_digits=True), ByteLevel(add_prefix_space=False)])}
 * splits them (expected values printed by {@code tokenizers} 0.23.3's {@code pre_tokenize_str},
 * here in plain text rather than byte-level spelling).
 */
class Gpt2PreTokenizerTest {
    private final Gpt2PreTokenizer smollm = new Gpt2PreTokenizer(true);
    private final Gpt2PreTokenizer gpt2 = new Gpt2PreTokenizer(false);

    @Test
    void aSpaceJoinsTheWordAfterIt() {
        assertEquals(List.of("Hello", " world", "!"), smollm.words("Hello world!"));
        assertEquals(List.of("caf\u00e9", " na\u00efve"), smollm.words("caf\u00e9 na\u00efve"));
        assertEquals(List.of("?!...", " ---"), smollm.words("?!... ---"));
        assertEquals(List.of("hi", "😀", " ok"), smollm.words("hi😀 ok"));
    }

    @Test
    void digitsStandAloneAndKeepNoSpace() {
        assertEquals(List.of("Hello", " world", " ", "1", "2", "3", "!"), smollm.words("Hello world 123!"));
        assertEquals(List.of("3", ".", "1", "4"), smollm.words("3.14"));
        assertEquals(List.of("A", "1", "b", "2", "2"), smollm.words("A1b22"));
        // Other number characters count as digits too.
        assertEquals(List.of("\u00bd", " x", "\u00b2"), smollm.words("\u00bd x\u00b2"));
        // Without the digit split, GPT-2's pattern keeps a run of digits with its space.
        assertEquals(List.of("Hello", " world", " 123", "!"), gpt2.words("Hello world 123!"));
    }

    @Test
    void whitespaceRunsLeaveTheirLastSpaceToTheNextWord() {
        assertEquals(List.of("a", " ", " b"), smollm.words("a  b"));
        assertEquals(List.of("x", "\n\n ", " y", "\t", "\t", "z", " \n"), smollm.words("x\n\n  y\t\tz \n"));
        assertEquals(List.of(" ", "\n", "foo"), smollm.words(" \nfoo"));
        assertEquals(List.of("  "), smollm.words("  "));
        assertEquals(List.of("a", " "), smollm.words("a "));
        assertEquals(List.of("\r\n"), smollm.words("\r\n"));
        // No-break and ideographic spaces are whitespace to the pattern.
        assertEquals(List.of("\u00a0", "x", "\u3000", "y"), smollm.words("\u00a0x\u3000y"));
    }

    @Test
    void contractionsAreCaseSensitiveAndNeedNoSpace() {
        assertEquals(List.of("don", "'t", " '", "s", " ''", " '", "S", " they", "'re"),
                smollm.words("don't 's '' 'S they're"));
    }

    @Test
    void wordsCoverTheTextExactly() {
        String text = "Mixed: 12 apples,\t\t3½ pears…  and 😀😀 — fin.\n";
        assertEquals(text, String.join("", smollm.words(text)));
        assertEquals(List.of(), smollm.words(""));
    }
}
