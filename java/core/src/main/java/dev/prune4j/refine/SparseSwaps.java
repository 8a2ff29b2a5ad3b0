package dev.prune4j.refine;

import static dev.prune4j.internal.tensor.LittleEndian.F32;

import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.Kernel;
import dev.prune4j.internal.tensor.F32Tensors;
import dev.prune4j.mask.Mask;
import dev.prune4j.prune.LayerPruneResult;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.logging.Logger;

/**
 * SparseSwaps (Zimmer et al. 2025, "Tractable LLM pruning mask refinement at scale"): starting from
 * any method's mask, swap a pruned and a kept weight of the same row (of the same N:M group for
 * N:M) whenever that lowers the row's share of the reconstruction error
 * {@code ||(W - W') X^T||^2 = (n/2) sum_rows (w - w') H (w - w')^T} exactly, until no swap helps
 * or {@link Options#maxSwapsPerRow} swaps were made. Rows decouple because every swap keeps its
 * row's count: the error is a sum of independent per-row quadratic forms. Each accepted swap lowers
 * the error, so the refined mask is never worse than the one it started from (up to F32 rounding
 * of the gradient, guarded by {@link Options#tolerance}). The gain of every pair is exact (see the
 * CPU kernel); the search for the best pair is exact with {@code candidates = 0} and restricted to
 * the most promising weights otherwise.
 *
 * <p>A weight that is pruned again is zero; one that is kept again gets its original value back;
 * the others keep the start's values (for SparseGPT, its updated ones), so the refinement applies
 * after weight-updating methods too.
 *
 * <p>Steps: {@code D = W - W'}, {@code G = D H} (one GEMM, {@link Engine#hessianProduct}), then the
 * swap loop of every row ({@link Engine#maskSwaps}). On a device engine W, W', H and G cross the
 * bus once and W' comes back once.
 */
public final class SparseSwaps implements MaskRefiner {
    private static final Logger LOG = Logger.getLogger(SparseSwaps.class.getName());
    /** The engine kernels SparseSwaps calls. */
    public static final Set<Kernel> KERNELS = EnumSet.of(Kernel.HESSIAN_PRODUCT, Kernel.MASK_SWAPS);

    /**
     * @param maxSwapsPerRow at most this many swaps in each row
     * @param candidates     unstructured masks: pairs are tried among this many best weights to
     *                       unprune and to prune alone ({@code 0}: every pair, the exact best swap,
     *                       {@code O(in^2)} a step); N:M groups always try every pair
     * @param tolerance      a swap must lower the row's error by more than this share of it
     */
    public record Options(int maxSwapsPerRow, int candidates, double tolerance) {
        public static final Options DEFAULT = new Options(100, 32, 1e-6);

        public Options {
            if (maxSwapsPerRow < 0) {
                throw new IllegalArgumentException("swaps per row must be >= 0, got " + maxSwapsPerRow);
            }
            if (candidates < 0) {
                throw new IllegalArgumentException("swap candidates must be >= 0 (0: every pair), got " + candidates);
            }
            if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
                throw new IllegalArgumentException("swap tolerance must be a finite number >= 0, got " + tolerance);
            }
        }

        public Options withMaxSwapsPerRow(int s) {
            return new Options(s, candidates, tolerance);
        }

        /** {@code 0}: every pair (the exact best swap each step). */
        public Options withCandidates(int c) {
            return new Options(maxSwapsPerRow, c, tolerance);
        }
    }

    /** A refined layer and how many swaps made it. */
    public record Refinement(LayerPruneResult result, long swaps) {}

    private final Options options;

    public SparseSwaps() {
        this(Options.DEFAULT);
    }

    public SparseSwaps(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return "sparseswaps";
    }

    @Override
    public Set<Kernel> kernels() {
        return KERNELS;
    }

    @Override
    public LayerPruneResult refine(Engine engine, Tensor weight, LayerPruneResult start, HessianAccumulator hessian,
                                   PruneSpec spec, Arena arena) {
        return refine(engine, weight, start, hessian, spec, options, arena).result();
    }

    /** As {@link #refine(Engine, Tensor, LayerPruneResult, HessianAccumulator, PruneSpec, Arena)}, with the swap count. */
    public static Refinement refine(Engine engine, Tensor weight, LayerPruneResult start, HessianAccumulator hessian,
                                    PruneSpec spec, Options options, Arena arena) {
        int group = requireFits(weight, start, hessian, spec);
        int rows = (int) weight.rows();
        int cols = (int) weight.cols();
        Mask keep = start.mask().copy();
        long swaps;
        try (Arena host = Arena.ofShared(); EngineArena work = engine.openArena()) {
            Tensor w = F32Tensors.copyOf(weight, host, weight.name() + ".original");
            Tensor v = F32Tensors.copyOf(start.weights(), host, weight.name() + ".refined");
            Tensor d = Tensor.allocate(host, weight.name() + ".delta", DType.F32, rows, cols);
            float[] wr = new float[cols];
            float[] vr = new float[cols];
            for (int r = 0; r < rows; r++) {
                long base = (long) r * cols;
                MemorySegment.copy(w.data(), F32,
                        base * 4, wr, 0, cols);
                MemorySegment.copy(v.data(), F32,
                        base * 4, vr, 0, cols);
                for (int j = 0; j < cols; j++) {
                    // A pruned weight is zero by contract; enforced, because the swap gains assume it.
                    if (!keep.isKept(base + j)) {
                        vr[j] = 0f;
                    }
                    wr[j] -= vr[j];
                }
                MemorySegment.copy(vr, 0, v.data(), F32,
                        base * 4, cols);
                MemorySegment.copy(wr, 0, d.data(), F32,
                        base * 4, cols);
            }
            Tensor wDev = work.upload(w);
            Tensor vDev = work.upload(v);
            Tensor hDev = work.upload(hessian.hessian());
            Tensor g = work.allocate(weight.name() + ".gradient", DType.F32, rows, cols);
            engine.hessianProduct(work.upload(d), hDev, g);
            swaps = engine.maskSwaps(wDev, vDev, g, hDev, keep, group, options.maxSwapsPerRow(), options.candidates(),
                    options.tolerance());
            work.download(vDev, v);
            Tensor out = Tensor.allocate(arena, weight.name(), weight.dtype(), weight.shape());
            F32Tensors.writeRounded(v, out);
            LOG.fine(() -> "SparseSwaps '" + weight.name() + "': " + swaps + " swaps over " + rows + " rows");
            return new Refinement(new LayerPruneResult(out, keep, Double.NaN, start.dampingUsed()), swaps);
        }
    }

    /** Checks the arguments; returns the swap group: the row, or M for N:M. */
    private static int requireFits(Tensor weight, LayerPruneResult start, HessianAccumulator hessian, PruneSpec spec) {
        if (weight.rank() != 2 || !weight.dtype().prunable()) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' is " + weight.dtype()
                    + weight.shapeString() + "; expected a 2-D F32, F16 or BF16 matrix [out, in]");
        }
        if (weight.rows() > Integer.MAX_VALUE || weight.cols() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' " + weight.shapeString() + " is too large");
        }
        if (!Arrays.equals(weight.shape(), start.weights().shape()) || start.mask().size() != weight.numel()) {
            throw new IllegalArgumentException("pruned layer '" + start.weights().name() + "' "
                    + start.weights().shapeString() + " (mask of " + start.mask().size() + ") does not fit weight '"
                    + weight.name() + "' " + weight.shapeString());
        }
        if (hessian == null || hessian.features() != weight.cols()) {
            throw new IllegalArgumentException("weight '" + weight.name() + "' " + weight.shapeString()
                    + " needs a Hessian of " + weight.cols() + " features for SparseSwaps, got "
                    + (hessian == null ? "none" : hessian.features() + ""));
        }
        return switch (spec) {
            case PruneSpec.NofM nm -> {
                nm.pattern().requireFits(weight);
                yield nm.pattern().m();
            }
            case PruneSpec.Global g -> throw new IllegalArgumentException("weight '" + weight.name()
                    + "': SparseSwaps keeps each row's count; a global threshold spans layers");
            default -> (int) weight.cols();
        };
    }
}
