package dev.prune4j.calib;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;

/**
 * SparseGPT's layer Hessian {@code H = (2 / n) * sum_t x_t^T x_t} over the {@code n} calibration
 * tokens, in F32, kept as a running average the way the reference code does it: for a batch of
 * {@code b} tokens, {@code H *= n / (n + b)}, {@code n += b}, then {@code H += (s X)^T (s X)} with
 * {@code s = sqrt(2 / n)}. So H never grows with the token count and F32 stays accurate.
 *
 * <p>H lives on the device of the arena it was created in (the host for an {@link Arena} or the
 * CPU engine): a device engine keeps it resident while batches come. On the host every batch is
 * followed by a check that H stayed finite; overflowing inputs are an error naming them.
 */
public final class HessianAccumulator {
    private final Tensor h;
    private long tokens;

    private HessianAccumulator(Tensor h, long tokens) {
        this.h = h;
        this.tokens = tokens;
    }

    /**
     * An empty (zero) Hessian for {@code inFeatures} inputs, stored in {@code arena} (host). Its
     * {@code 4 in^2} bytes are checked against the memory available first ({@link NativeMemory}).
     */
    public static HessianAccumulator create(Arena arena, String name, int inFeatures) {
        long bytes = bytes(inFeatures);
        String what = "the Hessian of '" + name + "' (" + inFeatures + " x " + inFeatures + " F32)";
        NativeMemory.system().require(bytes, what);
        return NativeMemory.allocating(bytes, what, () -> new HessianAccumulator(
                Tensor.allocate(arena, name + ".hessian", DType.F32, inFeatures, inFeatures), 0));
    }

    /** Bytes of the F32 Hessian of a layer with {@code inFeatures} inputs ({@link Long#MAX_VALUE} past a long). */
    public static long bytes(long inFeatures) {
        return inFeatures > 1_500_000_000L ? Long.MAX_VALUE : 4L * inFeatures * inFeatures;
    }

    /** An empty Hessian kept on the device of {@code arena}'s engine. */
    public static HessianAccumulator create(EngineArena arena, String name, int inFeatures) {
        return new HessianAccumulator(arena.allocate(name + ".hessian", DType.F32, inFeatures, inFeatures), 0);
    }

    /** A Hessian read from a file: F32 {@code [in, in]}, averaged over {@code tokens} tokens as above. */
    public static HessianAccumulator of(Tensor hessian, long tokens) {
        if (hessian.dtype() != DType.F32 || hessian.rank() != 2 || hessian.dim(0) != hessian.dim(1)) {
            throw new IllegalArgumentException("tensor '" + hessian.name() + "' is " + hessian.dtype()
                    + hessian.shapeString() + "; expected F32 [in_features, in_features]");
        }
        if (tokens < 0) {
            throw new IllegalArgumentException("tensor '" + hessian.name() + "': negative token count " + tokens);
        }
        return new HessianAccumulator(hessian, tokens);
    }

    /** Adds one batch {@code x [tokens, in]} (F32, F16 or BF16; host, or on the engine's device). */
    public void add(Engine engine, Tensor x) {
        if (x.rank() != 2 || x.cols() != features()) {
            throw new IllegalArgumentException("inputs '" + x.name() + "' " + x.shapeString()
                    + " do not fit a Hessian of " + features() + " input features");
        }
        if (!x.dtype().prunable()) {
            throw new IllegalArgumentException("inputs '" + x.name() + "' have dtype " + x.dtype()
                    + "; expected F32, F16 or BF16");
        }
        if (!h.device().equals(engine.device())) {
            throw new IllegalArgumentException("Hessian '" + h.name() + "' lives on " + h.device()
                    + ", not on engine '" + engine.name() + "' (" + engine.device() + ")");
        }
        long batch = x.rows();
        if (batch == 0) {
            return;
        }
        long total = tokens + batch;
        float decay = (float) ((double) tokens / total);
        float scale = (float) Math.sqrt(2.0 / total);
        try (EngineArena work = engine.openArena()) {
            engine.hessianUpdate(h, work.upload(x), decay, scale);
        }
        FiniteStatistics.requireFiniteDiagonal(h, x);
        tokens = total;
    }

    /**
     * This Hessian as a host Hessian in {@code arena}, what {@code LayerPruner.prune} takes:
     * downloaded through {@code work} (the arena of the engine it lives on) or copied on the host.
     */
    public HessianAccumulator copyToHost(EngineArena work, Arena arena) {
        Tensor host = Tensor.allocate(arena, h.name(), DType.F32, h.shape());
        work.download(h, host);
        FiniteStatistics.requireFiniteDiagonal(host, "statistics '" + h.name() + "'");
        return new HessianAccumulator(host, tokens);
    }

    /** Folds {@code other} in: the token-weighted average of the two Hessians (both on the host). */
    public void merge(HessianAccumulator other) {
        if (other.features() != features()) {
            throw new IllegalArgumentException("cannot merge a Hessian of " + other.features()
                    + " features into one of " + features());
        }
        long total = tokens + other.tokens;
        if (total == 0) {
            return;
        }
        double a = (double) tokens / total;
        double b = (double) other.tokens / total;
        for (long i = 0; i < h.numel(); i++) {
            h.setFloat(i, (float) (a * h.getFloat(i) + b * other.h.getFloat(i)));
        }
        tokens = total;
    }

    public int features() {
        return (int) h.dim(0);
    }

    /** F32 {@code [in, in]}: {@code (2 / n) X^T X}, where it lives. */
    public Tensor hessian() {
        return h;
    }

    public long tokens() {
        return tokens;
    }
}
