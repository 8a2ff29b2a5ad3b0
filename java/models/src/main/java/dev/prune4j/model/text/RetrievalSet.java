package dev.prune4j.model.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A retrieval task made from held-out texts: each text of at least {@link #MIN_WORDS} words is
 * cut in two at the middle word; the first half is a query, the second half a document. The
 * query's true match is the document at the same index, so the dense model's top-1 accuracy
 * shows the task is meaningful, and a pruned model's top-1 can be compared with the dense one's.
 */
public record RetrievalSet(List<String> queries, List<String> documents) {
    public static final int MIN_WORDS = 10;

    public RetrievalSet {
        queries = List.copyOf(queries);
        documents = List.copyOf(documents);
        if (queries.size() != documents.size()) {
            throw new IllegalArgumentException(queries.size() + " queries but " + documents.size() + " documents");
        }
    }

    /** Up to {@code n} pairs from {@code texts}, in order, skipping texts that are too short. */
    public static RetrievalSet halves(List<String> texts, int n) {
        List<String> queries = new ArrayList<>();
        List<String> documents = new ArrayList<>();
        for (String t : texts) {
            if (queries.size() == n) {
                break;
            }
            String[] words = t.split(" ");
            if (words.length < MIN_WORDS) {
                continue;
            }
            int mid = words.length / 2;
            queries.add(String.join(" ", List.of(words).subList(0, mid)));
            documents.add(String.join(" ", List.of(words).subList(mid, words.length)));
        }
        return new RetrievalSet(queries, documents);
    }

    public int size() {
        return queries.size();
    }
}
