package dev.prune4j.model.eval;

import dev.prune4j.model.bert.BertEncoder;
import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.model.bert.SentenceEmbedder;
import java.util.List;

/** Calibration passes: run text through an encoder so an observer sees every linear layer's inputs. */
public final class Calibration {
    private Calibration() {}

    /** One forward pass of {@code sentences} through {@code encoder}; embeddings are discarded. */
    public static void run(SentenceEmbedder model, BertEncoder encoder, List<String> sentences,
                           LinearInputObserver observer) {
        if (sentences.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one sentence");
        }
        model.embed(encoder, sentences, observer);
    }
}
