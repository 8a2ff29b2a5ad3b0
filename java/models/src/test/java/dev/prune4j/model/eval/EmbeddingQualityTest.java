package dev.prune4j.model.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EmbeddingQualityTest {
    @Test
    void cosineOfParallelOrthogonalAndZeroVectors() {
        assertEquals(1.0, EmbeddingQuality.cosine(new float[] {1, 2}, new float[] {2, 4}), 1e-12);
        assertEquals(0.0, EmbeddingQuality.cosine(new float[] {1, 0}, new float[] {0, 3}), 1e-12);
        assertEquals(0.0, EmbeddingQuality.cosine(new float[] {0, 0}, new float[] {0, 3}));
    }

    @Test
    void top1PicksTheMostSimilarDocumentAndAgreementCountsMatches() {
        float[][] docs = {{1, 0}, {0, 1}, {1, 1}};
        float[][] queries = {{0.9f, 0.1f}, {0.1f, 0.9f}, {0.6f, 0.5f}};
        int[] best = EmbeddingQuality.top1(queries, docs);
        assertArrayEquals(new int[] {0, 1, 2}, best);
        assertEquals(1.0, EmbeddingQuality.pairAccuracy(best));
        assertEquals(2.0 / 3, EmbeddingQuality.agreement(best, new int[] {0, 1, 0}), 1e-12);
    }
}
