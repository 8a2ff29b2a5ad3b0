package dev.prune4j.calib;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.tensor.convert.F32Tensors;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Arrays;

/**
 * A layer's reconstruction error on the calibration inputs, {@code ||W X^T - W' X^T||_F^2}, computed
 * from the Hessian without the inputs: with {@code D = W - W'} and {@code H = (2/n) X^T X},
 * {@code ||D X^T||_F^2 = trace(D X^T X D^T) = (n / 2) * trace(D H D^T)}.
 */
public final class ReconstructionError {
    private ReconstructionError() {}

    /** The error of {@code pruned} against {@code original} (host tensors of one shape) on {@code engine}. */
    public static double of(Engine engine, Tensor original, Tensor pruned, HessianAccumulator hessian) {
        if (!Arrays.equals(original.shape(), pruned.shape()) || original.rank() != 2) {
            throw new IllegalArgumentException("cannot compare '" + original.name() + "' " + original.shapeString()
                    + " with '" + pruned.name() + "' " + pruned.shapeString());
        }
        if (original.cols() != hessian.features()) {
            throw new IllegalArgumentException("weight '" + original.name() + "' " + original.shapeString()
                    + " does not fit a Hessian of " + hessian.features() + " features");
        }
        try (Arena arena = Arena.ofShared(); EngineArena work = engine.openArena()) {
            Tensor d = F32Tensors.copyOf(original, arena, original.name() + ".delta");
            Tensor p = F32Tensors.copyOf(pruned, arena, pruned.name() + ".pruned");
            for (long i = 0; i < d.numel(); i++) {
                d.setFloat(i, d.getFloat(i) - p.getFloat(i));
            }
            return engine.rowQuadraticFormSum(work.upload(d), work.upload(hessian.hessian())) * hessian.tokens() / 2.0;
        }
    }

}
