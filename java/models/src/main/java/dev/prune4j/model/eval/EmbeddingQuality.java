package dev.prune4j.model.eval;

/** Measures of how far a pruned model's sentence embeddings moved from the dense model's. */
public final class EmbeddingQuality {
    private EmbeddingQuality() {}

    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("embeddings of " + a.length + " and " + b.length + " dimensions");
        }
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        // A pruned model can output a zero vector; call its similarity 0 rather than NaN.
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    /** Mean over sentences of cos(dense[s], pruned[s]). */
    public static double meanCosine(float[][] dense, float[][] pruned) {
        checkRows(dense, pruned);
        double sum = 0;
        for (int s = 0; s < dense.length; s++) {
            sum += cosine(dense[s], pruned[s]);
        }
        return sum / dense.length;
    }

    /** For each query, the index of the most cosine-similar document (lowest index on ties). */
    public static int[] top1(float[][] queries, float[][] documents) {
        int[] best = new int[queries.length];
        for (int q = 0; q < queries.length; q++) {
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int d = 0; d < documents.length; d++) {
                double score = cosine(queries[q], documents[d]);
                if (score > bestScore) {
                    bestScore = score;
                    best[q] = d;
                }
            }
        }
        return best;
    }

    /** Fraction of positions where {@code a} and {@code b} agree. */
    public static double agreement(int[] a, int[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("cannot compare " + a.length + " and " + b.length + " answers");
        }
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == b[i] ? 1 : 0;
        }
        return (double) same / a.length;
    }

    /** Fraction of queries whose top-1 document is their own pair (index i for query i). */
    public static double pairAccuracy(int[] top1) {
        int hits = 0;
        for (int i = 0; i < top1.length; i++) {
            hits += top1[i] == i ? 1 : 0;
        }
        return (double) hits / top1.length;
    }

    private static void checkRows(float[][] a, float[][] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("cannot compare " + a.length + " and " + b.length + " embeddings");
        }
    }
}
