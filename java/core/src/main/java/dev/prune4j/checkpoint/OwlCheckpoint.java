package dev.prune4j.checkpoint;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.CalibrationFile;
import dev.prune4j.engine.Engine;
import dev.prune4j.owl.DecoderLayers;
import dev.prune4j.owl.OwlPruner;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.LayerStatistics;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * OWL's model-level step for a checkpoint: the selected tensors grouped into decoder layers by
 * name ({@link DecoderLayers}), each layer's outlier ratio from the mapped weights and the
 * calibration file's activation norms, then the layer sparsities. Selected tensors outside any
 * decoder layer are pruned at the requested sparsity and take no part in the allocation.
 */
final class OwlCheckpoint {
    private static final Logger LOG = Logger.getLogger(OwlCheckpoint.class.getName());

    private OwlCheckpoint() {}

    /** {@code method} itself unless it is an OWL method still to allocate; then the allocated one. */
    static LayerPruner<?> allocate(Engine engine, LayerPruner<?> method, Checkpoint in, List<String> selected,
                                   CalibrationFile calibration, PruneSpec spec) throws IOException {
        if (!(method instanceof OwlPruner<?> owl) || owl.allocated()) {
            return method;
        }
        DecoderLayers.Grouping grouping = DecoderLayers.group(selected);
        if (grouping.layers().isEmpty()) {
            throw new IllegalArgumentException(method.name() + " allocates sparsity per decoder layer, but no selected"
                    + " tensor is in a numbered layer ('model.layers.N.', 'encoder.layer.N.', ...); for example '"
                    + selected.getFirst() + "'");
        }
        try (Arena arena = Arena.ofShared()) {
            List<List<Tensor>> weights = new ArrayList<>();
            List<List<ActivationStats>> stats = new ArrayList<>();
            for (List<String> layer : grouping.tensorsByLayer()) {
                List<Tensor> w = new ArrayList<>();
                List<ActivationStats> s = new ArrayList<>();
                for (String name : layer) {
                    Tensor t = in.tensor(name);
                    w.add(t);
                    s.add(LayerStatistics.ACTIVATION_NORMS.read(calibration, engine, arena, name, t.cols()));
                }
                weights.add(w);
                stats.add(s);
            }
            OwlPruner<?> planned = owl.allocate(engine, weights, stats, spec);
            LOG.info(() -> method.name() + ": " + planned.plan().describe()
                    + (grouping.outside().isEmpty() ? "" : String.format("%n  %d tensors outside decoder layers -> %s",
                    grouping.outside().size(), spec)));
            return planned;
        }
    }
}
