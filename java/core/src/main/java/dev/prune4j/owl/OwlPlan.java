package dev.prune4j.owl;

import dev.prune4j.prune.PruneSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An OWL allocation for one model: the model-wide spec, and for every decoder layer its tensors,
 * its outlier ratio and the spec its tensors are pruned to. Tensors the plan does not list
 * (outside any decoder layer) are pruned to the model-wide spec.
 */
public final class OwlPlan {
    private final PruneSpec spec;
    private final List<String> layers;
    private final List<List<String>> tensorsByLayer;
    private final double[] outlierRatios;
    private final List<PruneSpec> layerSpecs;
    private final Map<String, Integer> layerOfTensor = new HashMap<>();

    /**
     * @param spec           the model-wide spec the plan was made for
     * @param layers         a name per layer, for messages ({@code model.layers.3})
     * @param tensorsByLayer the tensor names of every layer
     * @param outlierRatios  every layer's outlier ratio
     * @param layerSpecs     every layer's spec
     */
    public OwlPlan(PruneSpec spec, List<String> layers, List<List<String>> tensorsByLayer, double[] outlierRatios,
                   List<PruneSpec> layerSpecs) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.layers = List.copyOf(layers);
        this.tensorsByLayer = tensorsByLayer.stream().map(List::copyOf).toList();
        this.outlierRatios = outlierRatios.clone();
        this.layerSpecs = List.copyOf(layerSpecs);
        int n = this.layers.size();
        if (this.tensorsByLayer.size() != n || this.outlierRatios.length != n || this.layerSpecs.size() != n) {
            throw new IllegalArgumentException("OWL plan: " + n + " layers, " + this.tensorsByLayer.size()
                    + " tensor lists, " + this.outlierRatios.length + " outlier ratios, " + this.layerSpecs.size()
                    + " specs");
        }
        for (int l = 0; l < n; l++) {
            for (String t : this.tensorsByLayer.get(l)) {
                Integer before = layerOfTensor.put(t, l);
                if (before != null) {
                    throw new IllegalArgumentException("OWL plan: tensor '" + t + "' is in layers "
                            + this.layers.get(before) + " and " + this.layers.get(l));
                }
            }
        }
    }

    public PruneSpec spec() {
        return spec;
    }

    public List<String> layers() {
        return layers;
    }

    public List<List<String>> tensorsByLayer() {
        return tensorsByLayer;
    }

    public double[] outlierRatios() {
        return outlierRatios.clone();
    }

    public List<PruneSpec> layerSpecs() {
        return layerSpecs;
    }

    /**
     * The spec for tensor {@code name} when the model is pruned to {@code asked}: its layer's, or
     * {@code asked} itself for a tensor outside the plan's layers.
     *
     * @throws IllegalArgumentException when {@code asked} is not the spec the plan was made for
     */
    public PruneSpec specFor(String name, PruneSpec asked) {
        if (!spec.equals(asked)) {
            throw new IllegalArgumentException("weight '" + name + "': the OWL layer sparsities were allocated for "
                    + spec + ", not for " + asked);
        }
        Integer l = layerOfTensor.get(name);
        return l == null ? asked : layerSpecs.get(l);
    }

    /** One line per layer: name, outlier ratio and spec. */
    public String describe() {
        StringBuilder sb = new StringBuilder("OWL for " + spec + ":");
        for (int l = 0; l < layers.size(); l++) {
            sb.append(String.format("%n  %-32s outliers %6.3f %%  -> %s", layers.get(l), 100 * outlierRatios[l],
                    layerSpecs.get(l)));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
