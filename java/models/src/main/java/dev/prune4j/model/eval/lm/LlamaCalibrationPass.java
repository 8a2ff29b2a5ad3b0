package dev.prune4j.model.eval.lm;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.model.eval.LayerwisePass;
import dev.prune4j.model.llama.LlamaModel;
import dev.prune4j.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * {@link LayerwisePass} of calibration windows through a LLaMA decoder: each window is embedded
 * once and its hidden states carried from decoder layer to decoder layer, every window attending
 * only within itself (positions from 0, as when it is scored). Memory: one {@code [C, hidden]}
 * array per window (64 windows of 512 tokens of SmolLM2: 75 MB).
 */
public final class LlamaCalibrationPass implements LayerwisePass {
    private final LlamaModel model;
    private final CpuEngine engine;
    private final float[][] hidden;
    private final int[] lengths;
    private int position;

    /** The pass of {@code windows} (token ids, each at least one token) through {@code model} as loaded. */
    public LlamaCalibrationPass(LlamaModel model, CpuEngine engine, int[][] windows) {
        if (windows.length == 0) {
            throw new IllegalArgumentException("calibration needs at least one window");
        }
        this.model = model;
        this.engine = engine;
        this.hidden = new float[windows.length][];
        this.lengths = new int[windows.length];
        for (int w = 0; w < windows.length; w++) {
            if (windows[w].length == 0) {
                throw new IllegalArgumentException("calibration window " + w + " is empty");
            }
            hidden[w] = model.embed(windows[w]);
            lengths[w] = windows[w].length;
        }
    }

    @Override
    public List<List<Linear>> linearsByLayer() {
        return model.linearsByLayer();
    }

    @Override
    public void observe(int layer, LinearInputObserver observer) {
        requireAt(layer);
        for (int w = 0; w < hidden.length; w++) {
            model.observeLayer(engine, layer, hidden[w], lengths[w], observer);
        }
    }

    @Override
    public void advance(int layer, Map<String, Tensor> weights, LinearInputObserver observer) {
        requireAt(layer);
        LlamaModel m = weights.isEmpty() ? model : model.withLinearWeights(weights);
        for (int w = 0; w < hidden.length; w++) {
            m.applyLayer(engine, layer, hidden[w], lengths[w], observer);
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
            throw new IllegalStateException("the pass is at decoder layer " + position + ", not " + layer);
        }
    }
}
