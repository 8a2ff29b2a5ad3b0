package dev.prune4j.model.eval;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.bert.BertEncoder;
import dev.prune4j.model.bert.HiddenStates;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.model.bert.SentenceEmbedder;
import dev.prune4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link LayerwisePass} of calibration sentences through a BERT encoder: the sentences are
 * tokenised and embedded once, in the batches {@link SentenceEmbedder} uses, and each batch's
 * hidden states are carried from encoder layer to encoder layer.
 */
public final class BertCalibrationPass implements LayerwisePass {
    private final BertEncoder encoder;
    private final CpuEngine engine;
    private final List<HiddenStates> batches = new ArrayList<>();
    private int position;

    /** The pass of {@code sentences} through {@code model}'s dense encoder. */
    public BertCalibrationPass(SentenceEmbedder model, List<String> sentences) {
        if (sentences.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one sentence");
        }
        this.encoder = model.encoder();
        this.engine = model.engine();
        for (int from = 0; from < sentences.size(); from += SentenceEmbedder.BATCH) {
            List<String> batch = sentences.subList(from, Math.min(sentences.size(), from + SentenceEmbedder.BATCH));
            batches.add(encoder.embed(model.tokenizer().encode(batch)));
        }
    }

    @Override
    public List<List<Linear>> linearsByLayer() {
        return encoder.linearsByLayer();
    }

    @Override
    public void observe(int layer, LinearInputObserver observer) {
        requireAt(layer);
        for (HiddenStates b : batches) {
            HiddenStates copy = new HiddenStates(b.states().clone(), b.offsets(), b.hidden());
            encoder.applyLayer(engine, layer, copy, observer);
        }
    }

    @Override
    public void advance(int layer, Map<String, Tensor> weights, LinearInputObserver observer) {
        requireAt(layer);
        BertEncoder e = weights.isEmpty() ? encoder : encoder.withLinearWeights(weights);
        for (HiddenStates b : batches) {
            e.applyLayer(engine, layer, b, observer);
        }
        position++;
    }

    @Override
    public CpuEngine engine() {
        return engine;
    }

    @Override
    public int position() {
        return position;
    }

    private void requireAt(int layer) {
        if (layer != position) {
            throw new IllegalStateException("the pass is at encoder layer " + position + ", not " + layer);
        }
    }
}
