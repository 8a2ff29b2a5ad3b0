package dev.prune4j.model.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The texts of one evaluation: calibration sentences, held-out sentences for embedding similarity,
 * and a retrieval set, all from {@link CorpusSplit}; the similarity sentences and the retrieval
 * texts are disjoint parts of the held-out side.
 */
public record EvalText(List<String> calibration, List<String> similarity, RetrievalSet retrieval) {
    /**
     * Reads the fortune databases in {@code dir} and takes {@code calibration} calibration texts,
     * {@code similarity} held-out texts and {@code retrieval} query/document pairs.
     */
    public static EvalText fromFortunes(Path dir, int calibration, int similarity, int retrieval) throws IOException {
        CorpusSplit split = CorpusSplit.of(FortuneCorpus.read(dir));
        List<String> held = split.heldOut();
        if (held.size() < similarity + retrieval) {
            throw new IOException(dir + ": only " + held.size() + " held-out texts, " + (similarity + retrieval)
                    + " asked for");
        }
        RetrievalSet pairs = RetrievalSet.halves(held.subList(similarity, held.size()), retrieval);
        if (pairs.size() < retrieval) {
            throw new IOException(dir + ": only " + pairs.size() + " held-out texts are long enough for retrieval, "
                    + retrieval + " asked for");
        }
        if (split.calibration().size() < calibration) {
            throw new IOException(dir + ": only " + split.calibration().size() + " calibration texts, " + calibration
                    + " asked for");
        }
        return new EvalText(split.calibration(calibration), held.subList(0, similarity), pairs);
    }
}
