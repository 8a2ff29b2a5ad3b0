package dev.prune4j.prune;

import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Kernel;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Set;

/**
 * A one-shot pruning method for one linear layer: the method SPI. Magnitude ({@link MagnitudePruner}),
 * Wanda and SparseGPT implement it; {@code CheckpointPruner} streams a checkpoint through one
 * method object and the evaluation harness of prune4j-models drives the same objects, so a new
 * method is added by implementing this interface (and naming it in {@code dev.prune4j.method.Methods}).
 *
 * <pre>{@code
 * LayerPruner<ActivationStats> wanda = new WandaPruner();
 * ActivationStats stats = wanda.statistics().read(calibration, engine, arena, "q_proj.weight", 4096);
 * LayerPruneResult r = wanda.prune(engine, weight, stats, PruneSpec.perRow(0.5), arena);
 * }</pre>
 *
 * @param <S> the calibration statistics of one layer ({@code Void} when the method needs none)
 */
public interface LayerPruner<S> {
    /** The method's name, as the command line spells it: {@code magnitude}, {@code wanda}, {@code sparsegpt}. */
    String name();

    /** The statistics the method needs, and how they are read or gathered. */
    LayerStatistics<S> statistics();

    /** The engine kernels the method calls: an engine without them runs it on the CPU ({@code EngineLease}). */
    Set<Kernel> kernels();

    /** The per-layer {@code spec} a plain ratio of this method means: the scope its paper compares in. */
    default PruneSpec defaultSpec(double ratio) {
        return PruneSpec.perTensor(ratio);
    }

    /**
     * Prunes {@code weight [out, in]} (never modified) to {@code spec}: the new weights (the weight's
     * dtype, pruned weights zero) and the keep-mask, allocated in {@code arena}; the reconstruction
     * error is left NaN (see {@link #hessianOf}).
     *
     * @throws IllegalArgumentException naming the weight for a {@link PruneSpec.Global} spec (it
     *         spans layers), statistics that do not fit, or a weight the method cannot prune
     */
    LayerPruneResult prune(Engine engine, Tensor weight, S stats, PruneSpec spec, Arena arena);

    /**
     * The Hessian that {@code stats} carry, so that the reconstruction error
     * ({@link dev.prune4j.calib.ReconstructionError}) needs no second read; {@code null} when they carry none.
     */
    default HessianAccumulator hessianOf(S stats) {
        return null;
    }
}
