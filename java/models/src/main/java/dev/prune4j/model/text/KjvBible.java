package dev.prune4j.model.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The King James Bible from Debian's {@code bible-kjv-text}: 31,102 verses of early modern
 * English, a domain far from Wikipedia. The package stores the text compressed in its own format
 * ({@code /usr/lib/bible.data}), which its {@code bible} program (package {@code bible-kjv})
 * prints; {@link #read()} runs it once for the whole book and parses its lines
 * ({@code Ge1:1 In the beginning God created the heaven and the earth.}).
 */
public final class KjvBible {
    /** The program of package {@code bible-kjv}. */
    public static final Path PROGRAM = Path.of("/usr/bin/bible");
    static final String WHOLE_BIBLE = "gen1:1-rev22:21";
    private static final Pattern LINE = Pattern.compile("([1-3]?[A-Za-z]+)(\\d+):(\\d+) (.*)");

    /** One verse: {@code book} as the program abbreviates it ({@code Ge}, {@code 1Cor}), chapter and verse numbers. */
    public record Verse(String book, int chapter, int verse, String text) {}

    /** One chapter's verses joined by spaces, as a paragraph. */
    public record Chapter(String book, int chapter, String text) {
        public String key() {
            return book + " " + chapter;
        }
    }

    private KjvBible() {}

    /** Whether the program and its data are installed ({@code apt-get install bible-kjv-text}). */
    public static boolean installed() {
        return Files.isExecutable(PROGRAM) && Files.isRegularFile(Path.of("/usr/lib/bible.data"));
    }

    /** Every verse, in canonical order. */
    public static List<Verse> read() throws IOException {
        if (!installed()) {
            throw new IOException(PROGRAM + " or /usr/lib/bible.data is missing (apt-get install bible-kjv-text)");
        }
        Process p = new ProcessBuilder(PROGRAM.toString(), "-f", WHOLE_BIBLE).start();
        p.getOutputStream().close();
        CompletableFuture<String> err = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> err.complete(readAll(p.getErrorStream())));
        String out = readAll(p.getInputStream());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(PROGRAM + " did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + PROGRAM, e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(PROGRAM + " failed with status " + p.exitValue() + ": " + err.join().strip());
        }
        return parse(out);
    }

    /** The verses of the program's unformatted output: one {@code BookC:V text} line per verse. */
    public static List<Verse> parse(String output) throws IOException {
        List<Verse> verses = new ArrayList<>();
        int lineNumber = 0;
        for (String line : output.split("\n")) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            Matcher m = LINE.matcher(line.strip());
            if (!m.matches()) {
                throw new IOException("line " + lineNumber + " of the bible output is not 'BookC:V text': " + line);
            }
            verses.add(new Verse(m.group(1), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    m.group(4).strip()));
        }
        return List.copyOf(verses);
    }

    /** The verses grouped by chapter, in order. */
    public static List<Chapter> chapters(List<Verse> verses) {
        Map<String, StringBuilder> texts = new LinkedHashMap<>();
        Map<String, Verse> first = new LinkedHashMap<>();
        for (Verse v : verses) {
            String key = v.book() + " " + v.chapter();
            first.putIfAbsent(key, v);
            StringBuilder sb = texts.computeIfAbsent(key, k -> new StringBuilder());
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(v.text());
        }
        List<Chapter> out = new ArrayList<>(texts.size());
        for (Map.Entry<String, StringBuilder> e : texts.entrySet()) {
            Verse v = first.get(e.getKey());
            out.add(new Chapter(v.book(), v.chapter(), e.getValue().toString()));
        }
        return List.copyOf(out);
    }

    /** Calibration and evaluation chapters, split by a hash of the chapter's name (see {@link TextSplit}). */
    public static TextSplit split(List<Verse> verses) {
        return TextSplit.byKey(chapters(verses), Chapter::key, Chapter::text);
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
