package dev.prune4j.refine;

import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.Kernel;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Set;

/**
 * A training-free refinement of a pruned layer's mask, run after any {@link dev.prune4j.prune.LayerPruner}
 * (see {@link RefinedPruner}): it changes which weights are pruned, never how many in a row or
 * group, using the layer Hessian {@code H = (2/n) X^T X} of the calibration inputs. The refiners
 * by name are {@code dev.prune4j.method.Methods#refiner}.
 *
 * <pre>{@code
 * MaskRefiner swaps = new SparseSwaps();
 * LayerPruneResult start = new WandaPruner().prune(engine, weight, norms, PruneSpec.perRow(0.5), arena);
 * LayerPruneResult better = swaps.refine(engine, weight, start, hessian, PruneSpec.perRow(0.5), arena);
 * }</pre>
 */
public interface MaskRefiner {
    /** The refiner's name, as {@code --refine} spells it: {@code sparseswaps}. */
    String name();

    /** The engine kernels it calls. */
    Set<Kernel> kernels();

    /**
     * Refines {@code start}, the result of pruning {@code weight [out, in]} (never modified) to
     * {@code spec}: new weights (the weight's dtype; weights that stay kept keep their value, a
     * weight kept again gets its original value back, pruned weights are zero) and a new mask in
     * {@code arena}, with every row's pruned count (and, for N:M, every group's) unchanged. The
     * reconstruction error is left NaN.
     *
     * @throws IllegalArgumentException naming the weight when the shapes, the mask or the Hessian do not fit
     */
    LayerPruneResult refine(Engine engine, Tensor weight, LayerPruneResult start, HessianAccumulator hessian,
                            PruneSpec spec, Arena arena);
}
