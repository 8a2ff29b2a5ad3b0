package dev.prune4j.calib;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.EngineLease;
import dev.prune4j.engine.Kernel;
import dev.prune4j.internal.tensor.F32Tensors;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The calibration data of a checkpoint, looked up by weight name in a set of named tensors (a
 * safetensors file, or any map). For the weight {@code NAME [out, in]} it holds either the raw
 * inputs of that layer, or their reduced statistics:
 * <ul>
 *   <li>{@code NAME.inputs} {@code [tokens, in]}, F32, F16 or BF16: usable by both methods;</li>
 *   <li>Wanda: {@code NAME.act_norm_sq} {@code [in]} (sums of squared activations) and
 *       {@code NAME.act_count} (the token count);</li>
 *   <li>SparseGPT: {@code NAME.hessian} {@code [in, in]} ({@code (2/n) X^T X}, see
 *       {@link HessianAccumulator}) and {@code NAME.hessian_count} (the token count n).</li>
 * </ul>
 * Counts are scalars or {@code [1]} tensors of I64, I32, F32 or F64 holding a positive integer.
 * Reduced statistics win over raw inputs when both are present. Every error names the tensor.
 */
public final class CalibrationFile {
    public static final String INPUTS = ".inputs";
    public static final String ACT_NORM_SQ = ".act_norm_sq";
    public static final String ACT_COUNT = ".act_count";
    public static final String HESSIAN = ".hessian";
    public static final String HESSIAN_COUNT = ".hessian_count";
    /** The most input features a layer's statistics may have: its F32 Hessian is then 8.5 GB. */
    public static final int MAX_FEATURES = 46_000;

    private final Function<String, Tensor> lookup;

    /** {@code lookup} returns the tensor of that name, or {@code null} when there is none. */
    public CalibrationFile(Function<String, Tensor> lookup) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
    }

    public static CalibrationFile of(Map<String, Tensor> tensors) {
        return new CalibrationFile(tensors::get);
    }

    /** True when SparseGPT's Hessian of {@code weightName} can be had: stored, or from raw inputs. */
    public boolean hasHessianOrInputs(String weightName) {
        return lookup.apply(weightName + HESSIAN) != null || lookup.apply(weightName + INPUTS) != null;
    }

    /** Wanda's statistics for {@code weightName}, read or computed from the raw inputs. */
    public ActivationStats activationStats(Engine engine, Arena arena, String weightName, long inFeatures) {
        Tensor normSq = lookup.apply(weightName + ACT_NORM_SQ);
        if (normSq != null) {
            requireShape(normSq, inFeatures);
            long count = count(weightName + ACT_COUNT, weightName + ACT_NORM_SQ);
            Tensor f32 = asFiniteF32(normSq, arena);
            for (long j = 0; j < f32.numel(); j++) {
                if (f32.getFloat(j) < 0) {
                    throw new IllegalArgumentException("tensor '" + normSq.name() + "' holds a negative sum of squares "
                            + f32.getFloat(j) + " at index " + j);
                }
            }
            return ActivationStats.of(f32, count);
        }
        Tensor inputs = inputs(weightName, inFeatures, ACT_NORM_SQ + "' + '" + weightName + ACT_COUNT);
        int in = checkedInt(inFeatures, weightName);
        try (EngineLease lease = EngineLease.withKernels(engine, EnumSet.of(Kernel.SQUARED_NORMS), "activation norms");
             EngineArena work = lease.engine().openArena()) {
            ActivationStats gathered = ActivationStats.create(work, weightName, in);
            gathered.add(lease.engine(), inputs);
            return gathered.copyToHost(work, arena);
        }
    }

    /** SparseGPT's Hessian for {@code weightName}, read or accumulated from the raw inputs. */
    public HessianAccumulator hessian(Engine engine, Arena arena, String weightName, long inFeatures) {
        Tensor h = lookup.apply(weightName + HESSIAN);
        if (h != null) {
            requireShape(h, inFeatures, inFeatures);
            long count = count(weightName + HESSIAN_COUNT, weightName + HESSIAN);
            Tensor f32 = asFiniteF32(h, arena);
            for (long j = 0; j < inFeatures; j++) {
                if (f32.getFloat(j * inFeatures + j) < 0) {
                    throw new IllegalArgumentException("tensor '" + h.name() + "' has a negative diagonal entry "
                            + f32.getFloat(j * inFeatures + j) + " at " + j + "; not a Hessian X^T X");
                }
            }
            return HessianAccumulator.of(f32, count);
        }
        Tensor inputs = inputs(weightName, inFeatures, HESSIAN + "' + '" + weightName + HESSIAN_COUNT);
        int in = checkedInt(inFeatures, weightName);
        try (EngineLease lease = EngineLease.withKernels(engine, EnumSet.of(Kernel.HESSIAN_UPDATE), "Hessian");
             EngineArena work = lease.engine().openArena()) {
            HessianAccumulator gathered = HessianAccumulator.create(work, weightName, in);
            gathered.add(lease.engine(), inputs);
            return gathered.copyToHost(work, arena);
        }
    }

    /**
     * The reduced statistics of {@code weightName} under their file names ({@code NAME.act_norm_sq},
     * {@code NAME.act_count}, {@code NAME.hessian}, {@code NAME.hessian_count}; counts as I64
     * scalars), ready to be written as a calibration file in place of the raw inputs.
     */
    public Map<String, Tensor> reduce(Engine engine, Arena arena, String weightName, long inFeatures) {
        ActivationStats stats = activationStats(engine, arena, weightName, inFeatures);
        HessianAccumulator h = hessian(engine, arena, weightName, inFeatures);
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        out.put(weightName + ACT_NORM_SQ, stats.normSq().withName(weightName + ACT_NORM_SQ));
        out.put(weightName + ACT_COUNT, countTensor(arena, weightName + ACT_COUNT, stats.tokens()));
        out.put(weightName + HESSIAN, h.hessian().withName(weightName + HESSIAN));
        out.put(weightName + HESSIAN_COUNT, countTensor(arena, weightName + HESSIAN_COUNT, h.tokens()));
        return out;
    }

    private static Tensor countTensor(Arena arena, String name, long count) {
        Tensor t = Tensor.allocate(arena, name, DType.I64);
        t.data().set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, count);
        return t;
    }

    private Tensor inputs(String weightName, long inFeatures, String reducedNames) {
        Tensor inputs = lookup.apply(weightName + INPUTS);
        if (inputs == null) {
            throw new IllegalArgumentException("calibration data has no entry for weight '" + weightName
                    + "': expected '" + weightName + INPUTS + "' or '" + weightName + reducedNames + "'");
        }
        if (inputs.rank() != 2 || inputs.cols() != inFeatures || inputs.rows() == 0) {
            throw new IllegalArgumentException("tensor '" + inputs.name() + "' has shape " + inputs.shapeString()
                    + "; expected [tokens > 0, " + inFeatures + "]");
        }
        if (!inputs.dtype().prunable()) {
            throw new IllegalArgumentException("tensor '" + inputs.name() + "' has dtype " + inputs.dtype()
                    + "; expected F32, F16 or BF16");
        }
        requireFinite(inputs);
        return inputs;
    }

    private long count(String countName, String forName) {
        Tensor c = lookup.apply(countName);
        if (c == null) {
            throw new IllegalArgumentException("calibration data has '" + forName + "' but no '" + countName + "'");
        }
        if (c.numel() != 1 || c.rank() > 1) {
            throw new IllegalArgumentException("tensor '" + c.name() + "' has shape " + c.shapeString()
                    + "; expected a scalar or [1]");
        }
        double value = switch (c.dtype()) {
            case I64 -> c.data().get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            case I32 -> c.getBits32(0);
            case F32, F64 -> c.getFloat(0);
            default -> throw new IllegalArgumentException("tensor '" + c.name() + "' has dtype " + c.dtype()
                    + "; expected I64, I32, F32 or F64");
        };
        if (!(value >= 1) || value != Math.rint(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("tensor '" + c.name() + "' holds " + value
                    + "; expected a positive whole token count");
        }
        return (long) value;
    }

    private static void requireShape(Tensor t, long... shape) {
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has shape " + t.shapeString()
                    + "; expected " + java.util.Arrays.toString(shape));
        }
        if (!t.dtype().floating() || t.dtype().byteSize() < 2) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has dtype " + t.dtype()
                    + "; expected a floating-point type");
        }
    }

    private static Tensor asFiniteF32(Tensor t, Arena arena) {
        requireFinite(t);
        if (t.dtype() == DType.F32) {
            return t; // the mapped file itself, no copy
        }
        long bytes = 4 * t.numel();
        String what = "the F32 copy of tensor '" + t.name() + "' " + t.shapeString();
        NativeMemory.system().require(bytes, what);
        return NativeMemory.allocating(bytes, what, () -> F32Tensors.copyOf(t, arena, t.name()));
    }

    private static void requireFinite(Tensor t) {
        for (long i = 0; i < t.numel(); i++) {
            float v = t.getFloat(i);
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' holds " + v + " at flat index " + i);
            }
        }
    }

    private static int checkedInt(long features, String name) {
        if (features <= 0 || features > MAX_FEATURES) {
            throw new IllegalArgumentException("weight '" + name + "': " + features + " input features is out of range");
        }
        return (int) features;
    }
}
