package dev.prune4j.sparsegpt;

import dev.prune4j.tensor.convert.F32Tensors;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.calib.ReconstructionError;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.Kernel;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.MagnitudeSelection;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * SparseGPT (Frantar &amp; Alistarh 2023) for one linear layer: prune column block by column block
 * and, column by column, move each pruned weight's error onto the not-yet-processed weights of its
 * row with the inverse Hessian (optimal brain surgeon), so that {@code W X^T} changes as little as
 * possible on the calibration inputs.
 *
 * <p>Steps, as in the reference code: dead inputs ({@code H_jj == 0}) get {@code H_jj = 1} and
 * their weights zeroed; {@code H += percDamp * mean(diag H) * I}; {@code U} = upper Cholesky factor
 * of {@code H^-1}; for each block of {@code blockSize} columns the mask is chosen by
 * {@code w^2 / U_jj^2}, the block is pruned column by column with error propagation inside the
 * block, then {@code W[:, end:] -= Err @ U[block, end:]}. A Hessian that is not positive definite
 * is retried with ten times the damping, up to {@code dampRetries} times.
 *
 * <p>Exact counts. The reference prunes, in each block, every score {@code <=} the score at
 * position {@code floor(r * block size)} of the sorted block, which is one weight more than
 * {@code r} asks (and more on ties), so the layer ends up slightly above {@code r}. Here block
 * {@code [from, to)} prunes exactly {@code f(to) - f(from)} weights with {@code f(c) = floor(r * rows * c)}
 * ({@link PruneSpec.PerTensor}: over the whole block, as the reference), or
 * {@code floor(r * to) - floor(r * from)} in every row ({@link PruneSpec.PerRow}). The
 * block counts add up to exactly {@code floor(r * rows * cols)} (per tensor) or
 * {@code floor(r * cols)} per row; ties prune the lower index first. N:M keeps, in every group of
 * M columns of a row, the N largest scores as the group is reached (as the reference does).
 */
public final class SparseGpt {
    private static final Logger LOG = Logger.getLogger(SparseGpt.class.getName());
    /** The engine kernels SparseGPT calls. */
    public static final Set<Kernel> KERNELS = EnumSet.of(Kernel.CHOLESKY_INVERSE, Kernel.OBS_SCORES, Kernel.OBS_BLOCK,
            Kernel.TRAILING_UPDATE, Kernel.QUADRATIC_FORM, Kernel.MAGNITUDE_HISTOGRAM, Kernel.PRUNE_BELOW,
            Kernel.PRUNE_SMALLEST_PER_ROW);

    /**
     * @param blockSize  columns per block (the lazy-update width); a multiple of M for N:M
     * @param percDamp   damping relative to the mean of the Hessian's diagonal
     * @param dampRetries how many times to retry with ten times the damping when Cholesky fails
     * @param computeError whether to compute the reconstruction error (one extra {@code out x in x in} product)
     */
    public record Options(int blockSize, double percDamp, int dampRetries, boolean computeError) {
        public static final Options DEFAULT = new Options(128, 0.01, 4, true);

        public Options {
            if (blockSize < 1) {
                throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
            }
            // 0 would leave a singular Hessian singular through every retry (ten times 0 is 0).
            if (!(percDamp > 0) || Double.isInfinite(percDamp)) {
                throw new IllegalArgumentException("damping must be a finite number > 0, got " + percDamp);
            }
            if (dampRetries < 0) {
                throw new IllegalArgumentException("damping retries must be >= 0, got " + dampRetries);
            }
        }

        public Options withBlockSize(int b) {
            return new Options(b, percDamp, dampRetries, computeError);
        }

        public Options withPercDamp(double d) {
            return new Options(blockSize, d, dampRetries, computeError);
        }

        public Options withComputeError(boolean c) {
            return new Options(blockSize, percDamp, dampRetries, c);
        }
    }

    private SparseGpt() {}

    /**
     * Prunes {@code weight [out, in]} with the Hessian of its inputs. The input tensors are not
     * modified; the result's weights are a new tensor in {@code arena}, in the weight's dtype.
     *
     * @throws IllegalArgumentException naming the weight when shapes do not fit, or when the
     *         Hessian stays not positive definite after every damping retry
     */
    public static LayerPruneResult prune(Engine engine, Tensor weight, HessianAccumulator hessian, PruneSpec spec,
                                         Options options, Arena arena) {
        if (weight.rank() != 2 || !weight.dtype().prunable()) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' is " + weight.dtype()
                    + weight.shapeString() + "; expected a 2-D F32, F16 or BF16 matrix [out, in]");
        }
        if (weight.cols() != hessian.features()) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' " + weight.shapeString()
                    + " has " + weight.cols() + " input features, its Hessian " + hessian.features());
        }
        if (weight.rows() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' has too many rows");
        }
        if (spec instanceof PruneSpec.Global) {
            throw PruneSpec.globalIsNotPerLayer("SparseGPT");
        }
        int rows = (int) weight.rows();
        int cols = (int) weight.cols();
        int blockSize = Math.min(options.blockSize(), cols);
        if (spec instanceof PruneSpec.NofM(NmPattern pattern)) {
            pattern.requireFits(weight);
            if (options.blockSize() % pattern.m() != 0) {
                throw new IllegalArgumentException("block size " + options.blockSize()
                        + " is not a multiple of M = " + pattern.m() + " (weight '" + weight.name() + "')");
            }
        }
        Tensor h = hessian.hessian().requireHost();
        try (Arena host = Arena.ofShared(); EngineArena work = engine.openArena()) {
            // The F32 working copy of W with dead inputs zeroed, prepared on the host, crosses the bus once.
            Tensor hostW = F32Tensors.copyOf(weight, host, weight.name() + ".work");
            boolean[] dead = new boolean[cols];
            double diagSum = 0;
            for (int j = 0; j < cols; j++) {
                float hjj = h.getFloat((long) j * cols + j);
                dead[j] = hjj == 0f;
                diagSum += dead[j] ? 1.0 : hjj;
                if (dead[j]) {
                    for (long r = 0; r < rows; r++) {
                        hostW.setFloat(r * cols + j, 0f);
                    }
                }
            }
            Tensor w = work.upload(hostW);
            double meanDiag = diagSum / cols;
            Tensor hostHinv = Tensor.allocate(host, weight.name() + ".hinv", DType.F32, cols, cols);
            double percDamp = options.percDamp();
            Tensor hinv;
            for (int attempt = 0; ; attempt++) {
                MemorySegment.copy(h.data(), 0, hostHinv.data(), 0, h.byteSize());
                float damp = (float) (percDamp * meanDiag);
                for (int j = 0; j < cols; j++) {
                    long at = (long) j * cols + j;
                    hostHinv.setFloat(at, (dead[j] ? 1f : hostHinv.getFloat(at)) + damp);
                }
                hinv = work.upload(hostHinv);
                if (engine.choleskyInverseUpper(hinv)) {
                    if (attempt > 0) {
                        LOG.warning("SparseGPT '" + weight.name() + "': Hessian positive definite with damping "
                                + percDamp + " x mean(diag H) after " + attempt + " retr" + (attempt == 1 ? "y" : "ies"));
                    }
                    break;
                }
                if (attempt == options.dampRetries()) {
                    throw new IllegalArgumentException("weight '" + weight.name() + "': the Hessian is not positive"
                            + " definite even with damping " + percDamp + " x mean(diag H) (" + (attempt + 1)
                            + " attempts); the calibration data may be degenerate");
                }
                LOG.info("SparseGPT '" + weight.name() + "': Cholesky failed with damping " + percDamp
                        + "; retrying with " + percDamp * 10);
                percDamp *= 10;
            }

            Mask mask = Mask.allKept(rows, cols);
            // Scratch for one block; only the last block may be narrower and gets its own.
            Tensor fullErr = work.allocate(weight.name() + ".err", DType.F32, rows, blockSize);
            Tensor fullScores = work.allocate(weight.name() + ".sparsegpt_scores", DType.F32, rows, blockSize);
            for (int from = 0; from < cols; from += blockSize) {
                int to = Math.min(cols, from + blockSize);
                int width = to - from;
                boolean full = width == blockSize;
                Tensor err = full ? fullErr : work.allocate(weight.name() + ".err", DType.F32, rows, width);
                Mask blockKeep;
                if (spec instanceof PruneSpec.NofM(NmPattern pattern)) {
                    blockKeep = Mask.allKept(rows, width);
                    engine.obsBlock(w, hinv, from, to, blockKeep, pattern.n(), pattern.m(), err);
                } else {
                    Tensor scores = full ? fullScores
                            : work.allocate(weight.name() + ".sparsegpt_scores", DType.F32, rows, width);
                    engine.obsScores(w, hinv, from, to, scores);
                    blockKeep = selectBlock(engine, scores, (PruneSpec.Unstructured) spec, rows, from, to);
                    engine.obsBlock(w, hinv, from, to, blockKeep, 0, 0, err);
                }
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < width; j++) {
                        if (!blockKeep.isKept((long) r * width + j)) {
                            mask.prune((long) r * cols + from + j);
                        }
                    }
                }
                if (to < cols) {
                    engine.trailingUpdate(w, err, hinv, from, to);
                }
            }
            work.download(w, hostW);
            Tensor out = Tensor.allocate(arena, weight.name(), weight.dtype(), weight.shape());
            F32Tensors.writeRounded(hostW, out);
            double error = options.computeError() ? ReconstructionError.of(engine, weight, out, hessian) : Double.NaN;
            return new LayerPruneResult(out, mask, error, percDamp);
        }
    }

    /** The exact per-block selection described in the class comment. */
    private static Mask selectBlock(Engine engine, Tensor scores, PruneSpec.Unstructured spec, int rows, int from,
                                    int to) {
        if (spec instanceof PruneSpec.PerRow) {
            int k = (int) (spec.prunedOf(to) - spec.prunedOf(from));
            return MagnitudeSelection.pruneSmallestPerRow(engine, scores, null, k);
        }
        long k = spec.prunedOf((long) rows * to) - spec.prunedOf((long) rows * from);
        return MagnitudeSelection.pruneSmallest(engine, List.of(scores), null, k).getFirst();
    }
}
