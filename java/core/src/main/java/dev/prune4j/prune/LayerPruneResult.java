package dev.prune4j.prune;

import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.Tensor;

/**
 * One pruned layer: the new weights (in the input's dtype, pruned weights zero), the keep-mask,
 * the reconstruction error {@code ||W X^T - W' X^T||_F^2} on the calibration inputs ({@code NaN}
 * when no Hessian was given to compute it), and the relative damping that SparseGPT used
 * ({@code NaN} for other methods).
 */
public record LayerPruneResult(Tensor weights, Mask mask, double reconstructionError, double dampingUsed) {
    /** Fraction of the layer's weights pruned. */
    public double sparsity() {
        return mask.sparsity();
    }
}
