package dev.prune4j.prune;

import dev.prune4j.calib.ActivationStats;
import dev.prune4j.calib.CalibrationFile;
import dev.prune4j.calib.HessianAccumulator;
import dev.prune4j.engine.Engine;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;

/**
 * The calibration statistics a {@link LayerPruner} needs for one layer, and how to get them: read
 * from a calibration file ({@link CalibrationFile}: stored statistics, or reduced from raw inputs),
 * or gathered batch by batch from the inputs a forward pass shows the layer. The three kinds:
 * {@link #NONE} (magnitude), {@link #ACTIVATION_NORMS} (Wanda), {@link #HESSIAN} (SparseGPT).
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

    /** Empty statistics for layer {@code layerName} with {@code in} inputs, on the host in {@code arena}. */
    S create(Arena arena, String layerName, int in);

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
        public Void create(Arena arena, String layerName, int in) {
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
        public ActivationStats create(Arena arena, String layerName, int in) {
            return ActivationStats.create(arena, layerName, in);
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
        public HessianAccumulator create(Arena arena, String layerName, int in) {
            return HessianAccumulator.create(arena, layerName, in);
        }

        @Override
        public void add(Engine engine, HessianAccumulator stats, Tensor x) {
            stats.add(engine, x);
        }
    };
}
