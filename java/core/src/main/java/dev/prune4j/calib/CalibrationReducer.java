package dev.prune4j.calib;

import dev.prune4j.engine.Engine;
import dev.prune4j.io.AtomicFiles;
import dev.prune4j.io.AtomicFiles.Existing;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.safetensors.TensorInfo;
import dev.prune4j.safetensors.TensorSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reduces a calibration file of raw inputs ({@code NAME.inputs [tokens, in]}) to the statistics the
 * methods use: {@code NAME.act_norm_sq} + {@code NAME.act_count} (Wanda) and {@code NAME.hessian} +
 * {@code NAME.hessian_count} (SparseGPT). Other tensors are copied unchanged. Layer by layer: memory
 * holds one layer's statistics at a time, and the output is written to a temporary file first.
 * Before any work the largest Hessian is checked against the memory available ({@link NativeMemory})
 * and the whole output against the free disk space.
 */
public final class CalibrationReducer {
    private CalibrationReducer() {}

    /** As {@link #reduce(Engine, Path, Path, Existing)}, replacing a regular file at {@code output}. */
    public static List<String> reduce(Engine engine, Path inputs, Path output) throws IOException {
        return reduce(engine, inputs, output, Existing.REPLACE);
    }

    /**
     * Reduces {@code inputs} into {@code output}; {@code existing} says whether a file there may be replaced.
     *
     * @return the weight names whose inputs were reduced
     */
    public static List<String> reduce(Engine engine, Path inputs, Path output, Existing existing) throws IOException {
        AtomicFiles.checkTarget(output, existing);
        try (SafeTensorsFile in = SafeTensorsFile.open(inputs)) {
            return reduce(engine, in, output, existing);
        }
    }

    private static List<String> reduce(Engine engine, SafeTensorsFile in, Path output, Existing existing)
            throws IOException {
        Path inputs = in.path();
        List<String> weights = new ArrayList<>();
        List<TensorSpec> specs = new ArrayList<>();
        for (TensorInfo t : in.tensors()) {
            if (!t.name().endsWith(CalibrationFile.INPUTS)) {
                specs.add(t.spec());
                continue;
            }
            String weight = t.name().substring(0, t.name().length() - CalibrationFile.INPUTS.length());
            // Checked before any size is computed from the shape: [0, 2^32] holds no byte but its
            // Hessian's element count overflows a long.
            if (t.rank() != 2 || t.shape()[0] == 0 || t.shape()[1] == 0 || t.shape()[1] > CalibrationFile.MAX_FEATURES) {
                throw new IllegalArgumentException(inputs + ": tensor '" + t.name() + "' has shape "
                        + t.shapeString() + "; expected [tokens > 0, 0 < in <= " + CalibrationFile.MAX_FEATURES + "]");
            }
            long in2 = t.shape()[1];
            weights.add(weight);
            specs.add(new TensorSpec(weight + CalibrationFile.ACT_NORM_SQ, DType.F32, new long[] {in2}));
            specs.add(new TensorSpec(weight + CalibrationFile.ACT_COUNT, DType.I64, new long[] {}));
            specs.add(new TensorSpec(weight + CalibrationFile.HESSIAN, DType.F32, new long[] {in2, in2}));
            specs.add(new TensorSpec(weight + CalibrationFile.HESSIAN_COUNT, DType.I64, new long[] {}));
        }
        if (weights.isEmpty()) {
            throw new IllegalArgumentException(inputs + ": no tensor named NAME" + CalibrationFile.INPUTS
                    + " to reduce");
        }
        for (String weight : weights) {
            long features = in.info(weight + CalibrationFile.INPUTS).shape()[1];
            NativeMemory.system().require(HessianAccumulator.bytes(features), inputs + ": tensor '" + weight
                    + CalibrationFile.INPUTS + "': its Hessian (" + features + " x " + features + " F32)");
        }
        CalibrationFile calibration = new CalibrationFile(name -> {
            try {
                return in.contains(name) ? in.tensor(name) : null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try (SafeTensorsWriter out = SafeTensorsWriter.create(output, specs, in.metadata(), existing)) {
            try {
                for (TensorSpec spec : specs) {
                    if (in.contains(spec.name())) {
                        Tensor source = in.tensor(spec.name());
                        MemorySegment.copy(source.data(), 0, out.tensor(spec.name()).data(), 0, source.byteSize());
                    }
                }
                for (String weight : weights) {
                    try (Arena arena = Arena.ofShared()) {
                        long features = in.info(weight + CalibrationFile.INPUTS).shape()[1];
                        for (Map.Entry<String, Tensor> e : calibration.reduce(engine, arena, weight, features).entrySet()) {
                            Tensor dst = out.tensor(e.getKey());
                            MemorySegment.copy(e.getValue().data(), 0, dst.data(), 0, dst.byteSize());
                        }
                    }
                }
            } catch (InternalError e) {
                throw out.explain(e, List.of(in)); // before close: the temporary file still takes its space
            }
            out.commit();
        }
        return weights;
    }
}
