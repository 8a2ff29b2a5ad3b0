package dev.prune4j.calib;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;

/**
 * Wanda's calibration statistics for one layer: per input channel {@code j}, the running sum of
 * squared activations {@code normSq[j] = sum_t X[t][j]^2}, and the token count {@code n}. Fed batch
 * by batch with {@code X [tokens, in]} (F32, F16 or BF16); partial statistics of disjoint batches
 * {@link #merge merge} into the statistics of all of them.
 *
 * <p>The sums live on the device of the arena they were created in (the host for an {@link Arena}
 * or the CPU engine), so a device engine keeps them resident across batches. On the host every
 * batch is followed by a check that the sums stayed finite (F32 overflows for inputs above about
 * 1e19): an error names the inputs instead of statistics that silently hold +Inf.
 */
public final class ActivationStats {
    private final Tensor normSq;
    private long tokens;

    private ActivationStats(Tensor normSq, long tokens) {
        this.normSq = normSq;
        this.tokens = tokens;
    }

    /** Empty statistics for a layer with {@code inFeatures} inputs; the sums live in {@code arena} (host). */
    public static ActivationStats create(Arena arena, String name, int inFeatures) {
        return new ActivationStats(Tensor.allocate(arena, name + ".act_norm_sq", DType.F32, checkFeatures(inFeatures)), 0);
    }

    /** Empty statistics kept on the device of {@code arena}'s engine. */
    public static ActivationStats create(EngineArena arena, String name, int inFeatures) {
        return new ActivationStats(arena.allocate(name + ".act_norm_sq", DType.F32, checkFeatures(inFeatures)), 0);
    }

    /** Statistics read from a file: an F32 {@code [in]} tensor of sums of squares and its token count. */
    public static ActivationStats of(Tensor normSq, long tokens) {
        if (normSq.dtype() != DType.F32 || normSq.rank() != 1) {
            throw new IllegalArgumentException("tensor '" + normSq.name() + "' is " + normSq.dtype()
                    + normSq.shapeString() + "; expected F32 [in_features]");
        }
        if (tokens < 0) {
            throw new IllegalArgumentException("tensor '" + normSq.name() + "': negative token count " + tokens);
        }
        return new ActivationStats(normSq, tokens);
    }

    private static int checkFeatures(int inFeatures) {
        if (inFeatures < 0) {
            throw new IllegalArgumentException("negative input feature count " + inFeatures);
        }
        return inFeatures;
    }

    /** Adds one batch {@code x [tokens, in]} (host, or on the engine's device) on {@code engine}. */
    public void add(Engine engine, Tensor x) {
        if (x.rank() != 2 || x.cols() != features()) {
            throw new IllegalArgumentException("inputs '" + x.name() + "' " + x.shapeString()
                    + " do not fit statistics of " + features() + " input features");
        }
        if (!x.dtype().prunable()) {
            throw new IllegalArgumentException("inputs '" + x.name() + "' have dtype " + x.dtype()
                    + "; expected F32, F16 or BF16");
        }
        if (x.rows() == 0) {
            return;
        }
        try (EngineArena work = engine.openArena()) {
            engine.accumulateSquaredNorms(work.upload(x), resident(engine));
        }
        FiniteStatistics.requireFiniteSums(normSq, x);
        tokens += x.rows();
    }

    private Tensor resident(Engine engine) {
        if (!normSq.device().equals(engine.device())) {
            throw new IllegalArgumentException("statistics '" + normSq.name() + "' live on " + normSq.device()
                    + ", not on engine '" + engine.name() + "' (" + engine.device() + ")");
        }
        return normSq;
    }

    /**
     * These statistics as host statistics in {@code arena}, what {@code LayerPruner.prune} takes:
     * downloaded through {@code work} (the arena of the engine they live on) or copied on the host.
     */
    public ActivationStats copyToHost(EngineArena work, Arena arena) {
        Tensor host = Tensor.allocate(arena, normSq.name(), DType.F32, normSq.shape());
        work.download(normSq, host);
        FiniteStatistics.requireFiniteSums(host, "statistics '" + normSq.name() + "'");
        return new ActivationStats(host, tokens);
    }

    /** Adds {@code other}'s sums and count into these statistics (both on the host). */
    public void merge(ActivationStats other) {
        if (other.features() != features()) {
            throw new IllegalArgumentException("cannot merge statistics of " + other.features()
                    + " features into statistics of " + features());
        }
        for (long j = 0; j < features(); j++) {
            normSq.setFloat(j, normSq.getFloat(j) + other.normSq.getFloat(j));
        }
        tokens += other.tokens;
    }

    public int features() {
        return (int) normSq.numel();
    }

    /** F32 {@code [in]}: the sums of squared activations per input channel, where they live. */
    public Tensor normSq() {
        return normSq;
    }

    public long tokens() {
        return tokens;
    }
}
