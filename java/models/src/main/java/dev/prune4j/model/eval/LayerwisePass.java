package dev.prune4j.model.eval;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Calibration inputs run through a model one layer (an encoder or decoder block) at a time, the
 * hidden states held between layers: the pass that sequential calibration needs. The inputs are
 * embedded once; then, for each layer in order, {@link #observe} shows the layer's linear inputs
 * to the method's statistics and {@link #advance} replaces the held states by the layer's outputs
 * with its pruned weights, as the Wanda and SparseGPT reference code does. So calibrating all
 * layers costs about two forward passes, not one per layer.
 *
 * <p>Stateful and single-use: layers are visited in order, each observed (any number of times)
 * before it is advanced through.
 */
public interface LayerwisePass {
    /** The linear layers of each layer, in execution order (as loaded, dense). */
    List<List<Linear>> linearsByLayer();

    /**
     * Runs layer {@code layer} as loaded on the held hidden states, showing every linear layer's
     * input to {@code observer}; the held states are left as they were.
     */
    void observe(int layer, LinearInputObserver observer);

    /**
     * Runs layer {@code layer} with {@code weights} (new weights by linear-layer name; empty: as
     * loaded) on the held hidden states and holds its outputs as the next layer's inputs;
     * {@code observer} sees that run's linear inputs.
     */
    void advance(int layer, Map<String, Tensor> weights, LinearInputObserver observer);

    /** The CPU engine the pass runs on; statistics of the inputs it shows are accumulated there too. */
    CpuEngine engine();

    /** The layer about to be observed or advanced through: 0 at the start, one more per {@link #advance}. */
    int position();
}
