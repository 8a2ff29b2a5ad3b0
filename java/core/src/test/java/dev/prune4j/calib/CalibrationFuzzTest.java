package dev.prune4j.calib;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.safetensors.SafeTensorsException;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.safetensors.SafeTensorsFiles;
import dev.prune4j.safetensors.TensorInfo;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzz target: a calibration file from arbitrary bytes, read the way Wanda and SparseGPT read it
 * (activation norms, Hessian, and both reduced from raw inputs) for every weight it mentions.
 * Acceptable failures: a {@link SafeTensorsException} naming the file, or an
 * {@link IllegalArgumentException} naming the tensor, weight or inputs at fault (a quoted name).
 * Layers of more than {@value #MAX_IN} inputs are skipped, to keep each run to milliseconds.
 */
class CalibrationFuzzTest {
    private static final Path NAME = Path.of("fuzz-calibration.safetensors");
    private static final int MAX_IN = 256;
    private static final CpuEngine ENGINE = new CpuEngine(1);

    @DictionaryEntries({".inputs\"", ".act_norm_sq\"", ".act_count\"", ".hessian\"", ".hessian_count\"", "\"dtype\"",
        "\"shape\"", "\"data_offsets\"", "\"F32\"", "\"F16\"", "\"BF16\"", "\"I64\"", "\"I32\"", "\"F64\"", "[1]", "[]"})
    @FuzzTest(maxDuration = "10s")
    void calibration(byte[] bytes) throws Exception {
        Arena arena = Arena.ofShared();
        MemorySegment file = arena.allocate(Math.max(1, bytes.length), 8).asSlice(0, bytes.length);
        MemorySegment.copy(bytes, 0, file, ValueLayout.JAVA_BYTE, 0, bytes.length);
        SafeTensorsFile f;
        try {
            f = SafeTensorsFiles.of(NAME, arena, file);
        } catch (SafeTensorsException e) {
            arena.close();
            if (!e.getMessage().startsWith(NAME.toString())) {
                throw new AssertionError("not a clean error: " + e.getMessage(), e);
            }
            return;
        }
        try (f; Arena work = Arena.ofShared()) {
            CalibrationFile calibration = new CalibrationFile(name -> {
                try {
                    return f.contains(name) ? f.tensor(name) : null;
                } catch (SafeTensorsException e) {
                    throw new AssertionError(e);
                }
            });
            for (Map.Entry<String, Long> layer : layers(f.tensors()).entrySet()) {
                read(calibration, work, layer.getKey(), layer.getValue());
            }
        }
    }

    /** Weight name to input features, for every statistics or inputs tensor of the file. */
    private static Map<String, Long> layers(List<TensorInfo> tensors) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            String n = t.name();
            long[] s = t.shape();
            long in = s.length == 0 ? 1 : s[s.length - 1];
            for (String suffix : List.of(CalibrationFile.INPUTS, CalibrationFile.ACT_NORM_SQ, CalibrationFile.HESSIAN)) {
                if (n.endsWith(suffix) && in <= MAX_IN) {
                    out.putIfAbsent(n.substring(0, n.length() - suffix.length()), in);
                }
            }
        }
        return out;
    }

    private static void read(CalibrationFile calibration, Arena arena, String weight, long in) {
        for (int step = 0; step < 3; step++) {
            try {
                switch (step) {
                    case 0 -> calibration.activationStats(ENGINE, arena, weight, in);
                    case 1 -> calibration.hessian(ENGINE, arena, weight, in);
                    default -> {
                        for (Tensor t : calibration.reduce(ENGINE, arena, weight, in).values()) {
                            t.byteSize();
                        }
                    }
                }
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                if (m == null || !m.contains("'") || m.contains("\n")) {
                    throw new AssertionError("not a clean error for weight '" + weight + "': " + m, e);
                }
            }
        }
    }
}
