package dev.prune4j.model.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * English prose from Debian's fortune databases (packages {@code fortunes-min} and
 * {@code fortunes}, installed under {@code /usr/share/games/fortunes}): quotations, aphorisms and jokes, one
 * or a few sentences each. Available offline once the package is installed; the same package
 * version yields the same texts.
 *
 * <p>Only prose databases are read (no ASCII art, code or verse), attributions ("-- Mark Twain")
 * are dropped, whitespace is collapsed, and texts that are too short, too long or mostly not
 * letters are left out. Duplicates are kept once.
 */
public final class FortuneCorpus {
    public static final Path DEFAULT_DIR = Path.of("/usr/share/games/fortunes");

    /** The prose databases, in reading order. */
    public static final List<String> FILES = List.of("fortunes", "literature", "wisdom", "science", "education",
            "humorists", "people", "platitudes", "work", "computers", "law", "medicine", "food", "kids", "pets",
            "love", "miscellaneous", "politics", "sports", "pratchett", "tao", "definitions", "cookie");

    static final int MIN_CHARS = 30;
    static final int MAX_CHARS = 400;
    static final int MIN_WORDS = 5;

    private FortuneCorpus() {}

    /** Every usable text of the prose databases found in {@code dir}. */
    public static List<String> read(Path dir) throws IOException {
        Set<String> texts = new LinkedHashSet<>();
        int files = 0;
        for (String name : FILES) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                texts.addAll(parse(Files.readAllBytes(file)));
                files++;
            }
        }
        if (files == 0) {
            throw new IOException(dir + " holds none of the fortune databases " + FILES
                    + " (apt-get install fortunes, or pass another folder)");
        }
        return List.copyOf(texts);
    }

    /** The usable texts of one database: entries separated by lines holding only {@code %}. */
    public static List<String> parse(byte[] database) {
        List<String> out = new ArrayList<>();
        StringBuilder entry = new StringBuilder();
        for (String line : decode(database).split("\n", -1)) {
            if (line.strip().equals("%")) {
                add(entry, out);
            } else if (!line.strip().startsWith("--")) {
                entry.append(line).append('\n');
            }
        }
        add(entry, out);
        return out;
    }

    // Entries are UTF-8 in current packages; an entry with bytes that are not is dropped whole,
    // rather than guessed at.
    private static String decode(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static void add(StringBuilder entry, List<String> out) {
        String text = entry.toString().strip().replaceAll("\\s+", " ");
        entry.setLength(0);
        if (usable(text)) {
            out.add(text);
        }
    }

    static boolean usable(String text) {
        if (text.length() < MIN_CHARS || text.length() > MAX_CHARS || text.indexOf('\uFFFD') >= 0) {
            return false;
        }
        if (text.split(" ").length < MIN_WORDS) {
            return false;
        }
        long letters = text.chars().filter(c -> Character.isLetter(c) || c == ' ').count();
        return letters >= 0.8 * text.length();
    }
}
