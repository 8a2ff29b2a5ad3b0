package dev.prune4j.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.model.text.Installed;
import dev.prune4j.model.text.TextSplit;
import dev.prune4j.model.text.WikipediaCorpus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java tokenizer built from the SmolLM2 GGUF against Hugging Face's {@code tokenizers} built
 * from the same vocabulary, merges and pre-tokenizer (run live through {@code $PRUNE4J_PYTHON},
 * see {@code bpe_reference.py}): every Wikipedia summary, the joined evaluation and calibration
 * texts the perplexity runs on, and a fixed set of edge strings. The {@code tokenizer.json} we
 * write is loaded by {@code tokenizers} and must give the same ids too.
 */
class SmolLm2TokenizerCorpusTest {
    /** Digits, whitespace runs, newlines, Unicode of many scripts, emoji, contractions, special tokens. */
    static final List<String> EDGE_STRINGS = List.of(
            "",
            " ",
            "Hello world",
            " leading space",
            "trailing space ",
            "In 1969, 3.14159 and 1,000,000 and 0x1F and 2nd 10th",
            "Phone: +1 (555) 123-4567, year 2024/25, 12:30pm, 1e-12",
            "½ ¾ ² ³ Ⅻ ٣٤ ۵ १२ ①②",
            "a  b   c    d",
            "tabs\tand\t\ttabs",
            "line\nbreak\n\nparagraph\n\n\n",
            "windows\r\nline\r\nends",
            "   \n   \n",
            "\u00a0no-break\u00a0space\u3000ideographic\u2028line\u2029para\u0085nel",
            "don't can't won't it's I'm you're we've they'll he'd",
            "DON'T IT'S 'quoted' ''double'' ’curly’ \"quotes\"",
            "café naïve résumé coöperate Ångström Øresund Œuvre straße İstanbul",
            "ΣΊΣΥΦΟΣ Привет мир 中文字符 日本語のテキスト 한국어 텍스트",
            "עברית العربية हिन्दी ไทย",
            "emoji 😀 👍🏽 👨‍👩‍👧‍👦 🇫🇷 ❤️ 🫠",
            "combining e\u0301 a\u0308 and zero\u200bwidth\u200dJoiner\ufeffbom",
            "symbols ©®™ ¿¡ «» „“ — – … • § ¶ † ‡ € £ ¥ ₿",
            "code: for (int i = 0; i < n; i++) { x[i] += y[i] * 2; } // done",
            "https://en.wikipedia.org/wiki/Alan_Turing?action=raw#History",
            "email@example.com #hashtag @user $100 50% ^caret `tick` |pipe| ~tilde_under",
            "-".repeat(300) + "=".repeat(100),
            "a".repeat(2000),
            "supercalifragilisticexpialidocious antidisestablishmentarianism",
            "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
            "text<|endoftext|>more <|im_end|><|im_end|> <|im_start",
            "<repo_name>prune4j<file_sep>README.md<jupyter_code>x = 1",
            "control\u0000chars\u0007here\u001b[0m",
            "\ud83d\ude00\ud83d\ude00\ud83d\ude00");

    @Test
    void equalToHuggingFaceOnWikipediaAndEdgeStrings(@TempDir Path tmp) throws IOException, InterruptedException {
        Path gguf = SmolLm2Fixture.gguf();
        Path summaries = Installed.require(WikipediaCorpus.locate());
        List<WikipediaCorpus.Article> articles = WikipediaCorpus.read(summaries);
        TextSplit split = WikipediaCorpus.split(articles);
        List<String> texts = new ArrayList<>(EDGE_STRINGS);
        articles.forEach(a -> texts.add(a.extract()));
        texts.add(split.evaluationText());
        texts.add(split.calibrationText());

        BpeTokenizer tokenizer = SmolLm2Fixture.tokenizer();
        Path json = tmp.resolve("tokenizer.json");
        HfTokenizerJson.write(tokenizer, json);
        Map<String, Object> ref = ReferencePython.run("bpe_reference.py", tmp, texts, gguf.toString(), json.toString());
        List<?> expected = (List<?>) ref.get("ids");
        assertEquals(List.of(), ref.get("json_mismatches"), "texts on which tokenizers, loading our tokenizer.json, "
                + "gives other ids than the reference");
        assertEquals(texts.size(), expected.size());

        long start = System.nanoTime();
        int[][] actual = new int[texts.size()][];
        for (int i = 0; i < texts.size(); i++) {
            actual[i] = tokenizer.encode(texts.get(i));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int mismatches = 0;
        StringBuilder first = new StringBuilder();
        long tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            int[] want = ReferencePython.ints(expected.get(i));
            tokens += want.length;
            if (!Arrays.equals(want, actual[i]) && mismatches++ < 3) {
                String t = texts.get(i);
                first.append("\n").append(t, 0, Math.min(t.length(), 200)).append("\n  expected ")
                        .append(describe(tokenizer, want)).append("\n  actual   ").append(describe(tokenizer, actual[i]));
            }
        }
        assertEquals(0, mismatches, mismatches + " of " + texts.size() + " texts differ from tokenizers "
                + ref.get("version") + ":" + first);
        assertTrue(tokens > 2_000_000, tokens + " tokens");
        System.out.printf("SmolLM2 tokenizer: %d texts, %d tokens (Wikipedia twice: per article and joined) in %.2f s%n",
                texts.size(), tokens, seconds);
    }

    private static String describe(BpeTokenizer t, int[] ids) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.min(ids.length, 40); i++) {
            out.add(t.token(ids[i]));
        }
        return out + (ids.length > 40 ? " ... (" + ids.length + ")" : "");
    }
}
