package dev.prune4j.synth;

import dev.prune4j.calib.CalibrationFile;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.safetensors.TensorSpec;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Calibration inputs for a {@link SyntheticLlama}: for every linear weight {@code NAME}, a tensor
 * {@code NAME.inputs [tokens, in]} (the {@link CalibrationFile} format) shaped like real LLM
 * activations: per-channel scales that vary, and a few channels (the same ones in every layer)
 * tens of times larger than the rest, the "massive activations" that make Wanda and SparseGPT beat
 * plain magnitude pruning.
 */
public final class SyntheticCalibration {
    /** Where {@code synth --calibration-tokens} puts the file, relative to the checkpoint folder. */
    public static final String FILE = "calibration/calibration.safetensors";

    private final SyntheticLlama model;
    private final int tokens;

    public SyntheticCalibration(SyntheticLlama model, int tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("calibration tokens must be >= 1, got " + tokens);
        }
        this.model = model;
        this.tokens = tokens;
    }

    /** Writes the inputs of every 2-D projection weight of the model to {@code file}. */
    public void write(Path file, CpuEngine engine) throws IOException {
        List<TensorSpec> specs = specs();
        try (SafeTensorsWriter writer = SafeTensorsWriter.create(file, specs,
                Map.of("prune4j.synthetic_calibration", Integer.toString(tokens)))) {
            try {
                for (TensorSpec spec : specs) {
                    Tensor t = writer.tensor(spec.name());
                    engine.parallelFor(new Tensor[] {t}, tokens, row -> fillRow(t, row));
                }
            } catch (InternalError e) {
                throw writer.explain(e, List.of()); // a full disk, named
            }
            writer.commit();
        }
    }

    /** Bytes of the tensors {@link #write} writes (the header aside). */
    public long byteSize() {
        return specs().stream().mapToLong(TensorSpec::byteSize).sum();
    }

    private List<TensorSpec> specs() {
        List<TensorSpec> specs = new ArrayList<>();
        for (TensorSpec w : model.tensors()) {
            if (w.shape().length == 2 && w.name().endsWith("_proj.weight")) {
                specs.add(new TensorSpec(w.name() + CalibrationFile.INPUTS, w.dtype(), new long[] {tokens, w.shape()[1]}));
            }
        }
        return specs;
    }

    private void fillRow(Tensor t, int row) {
        long in = t.cols();
        SplittableRandom rnd = new SplittableRandom(t.name().hashCode() * 0x9E3779B97F4A7C15L + row);
        for (long j = 0; j < in; j++) {
            t.setFloat(row * in + j, (float) (rnd.nextGaussian() * channelScale(j, in)));
        }
    }

    /** The scale of input channel {@code j}: log-normal around one, and 20-60x on a few channels. */
    private static double channelScale(long j, long in) {
        SplittableRandom rnd = new SplittableRandom(0x5EEDL * 31 + j);
        double scale = Math.exp(0.5 * rnd.nextGaussian());
        // About one channel in 500 (at least two) carries outliers, at fixed positions.
        long outliers = Math.max(2, in / 500);
        if (j % Math.max(1, in / outliers) == 7 % Math.max(1, in / outliers)) {
            scale *= 20 + 40 * rnd.nextDouble();
        }
        return scale;
    }
}
