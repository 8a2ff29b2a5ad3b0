package dev.prune4j.prune;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.CalibrationFile;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.Kernel;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.EnumSet;
import java.util.Set;

/**
 * The calibration statistics a {@link LayerPruner} needs for one layer, and how to get them: read
 * from a calibration file ({@link CalibrationFile}: stored statistics, or reduced from raw inputs),
 * or gathered batch by batch from the inputs a forward pass shows the layer. The three kinds:
 * {@link #NONE} (magnitude), {@link #ACTIVATION_NORMS} (Wanda), {@link #HESSIAN} (SparseGPT).
 *
 * <p>Gathered on an engine, the statistics stay on its device across batches ({@link #create(EngineArena,
 * String, int)}), and come to the host once, when the layer is pruned ({@link #copyToHost}):
 * <pre>{@code
 * try (EngineLease lease = EngineLease.withKernels(engine, stats.kernels(), "calibration");
 *      EngineArena work = lease.engine().openArena()) {
 *     S s = stats.create(work, "q_proj", 4096);
 *     for (Tensor batch : batches) stats.add(lease.engine(), s, batch);
 *     S host = stats.copyToHost(work, s, arena);
 * }
 * }</pre>
 *
 * @param <S> the statistics of one layer
 */
public interface LayerStatistics<S> {
    /** Words for messages and reports: {@code activation norms}. */
    String description();

    /** False only for {@link #NONE}: the method needs no calibration data. */
    boolean needsCalibration();

    /** The statistics of weight {@code weightName} ({@code in} input features) from {@code file}, on the host in {@code arena}. */
    S read(CalibrationFile file, Engine engine, Arena arena, String weightName, long in);

    /** The engine kernels {@link #add} calls: an engine without them gathers on the CPU ({@code EngineLease}). */
    Set<Kernel> kernels();

    /** Empty statistics for layer {@code layerName} with {@code in} inputs, on the host in {@code arena}. */
    S create(Arena arena, String layerName, int in);

    /** Empty statistics kept on the device of {@code work}'s engine, where {@link #add} accumulates them. */
    S create(EngineArena work, String layerName, int in);

    /** {@code stats} (made by {@code create(work, ...)}) as host statistics in {@code arena}. */
    S copyToHost(EngineArena work, S stats, Arena arena);

    /** Adds one batch of the layer's inputs {@code x [tokens, in]}. */
    void add(Engine engine, S stats, Tensor x);

    /** No statistics: magnitude pruning. */
    LayerStatistics<Void> NONE = new LayerStatistics<>() {
        @Override
        public String description() {
            return "none";
        }

        @Override
        public boolean needsCalibration() {
            return false;
        }

        @Override
        public Void read(CalibrationFile file, Engine engine, Arena arena, String weightName, long in) {
            return null;
        }

        @Override
        public Set<Kernel> kernels() {
            return Set.of();
        }

        @Override
        public Void create(Arena arena, String layerName, int in) {
            return null;
        }

        @Override
        public Void create(EngineArena work, String layerName, int in) {
            return null;
        }

        @Override
        public Void copyToHost(EngineArena work, Void stats, Arena arena) {
            return null;
        }

        @Override
        public void add(Engine engine, Void stats, Tensor x) {}
    };

    /** Per-channel sums of squared activations and the token count: Wanda's {@code ||X_j||_2}. */
    LayerStatistics<ActivationStats> ACTIVATION_NORMS = new LayerStatistics<>() {
        @Override
        public String description() {
            return "activation norms";
        }

        @Override
        public boolean needsCalibration() {
            return true;
        }

        @Override
        public ActivationStats read(CalibrationFile file, Engine engine, Arena arena, String weightName, long in) {
            return file.activationStats(engine, arena, weightName, in);
        }

        @Override
        public Set<Kernel> kernels() {
            return EnumSet.of(Kernel.SQUARED_NORMS);
        }

        @Override
        public ActivationStats create(Arena arena, String layerName, int in) {
            return ActivationStats.create(arena, layerName, in);
        }

        @Override
        public ActivationStats create(EngineArena work, String layerName, int in) {
            return ActivationStats.create(work, layerName, in);
        }

        @Override
        public ActivationStats copyToHost(EngineArena work, ActivationStats stats, Arena arena) {
            return stats.copyToHost(work, arena);
        }

        @Override
        public void add(Engine engine, ActivationStats stats, Tensor x) {
            stats.add(engine, x);
        }
    };

    /** The layer Hessian {@code 2/n X^T X}: SparseGPT's statistics, and what the reconstruction error needs. */
    LayerStatistics<HessianAccumulator> HESSIAN = new LayerStatistics<>() {
        @Override
        public String description() {
            return "Hessian";
        }

        @Override
        public boolean needsCalibration() {
            return true;
        }

        @Override
        public HessianAccumulator read(CalibrationFile file, Engine engine, Arena arena, String weightName, long in) {
            return file.hessian(engine, arena, weightName, in);
        }

        @Override
        public Set<Kernel> kernels() {
            return EnumSet.of(Kernel.HESSIAN_UPDATE);
        }

        @Override
        public HessianAccumulator create(Arena arena, String layerName, int in) {
            return HessianAccumulator.create(arena, layerName, in);
        }

        @Override
        public HessianAccumulator create(EngineArena work, String layerName, int in) {
            return HessianAccumulator.create(work, layerName, in);
        }

        @Override
        public HessianAccumulator copyToHost(EngineArena work, HessianAccumulator stats, Arena arena) {
            return stats.copyToHost(work, arena);
        }

        @Override
        public void add(Engine engine, HessianAccumulator stats, Tensor x) {
            stats.add(engine, x);
        }
    };
}
