package dev.prune4j.model.llama;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.safetensors.TensorSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small random LLaMA (two layers, four query heads sharing two KV heads) for tests: its weights
 * by Hugging Face name, written as a Hugging Face folder in any float dtype. Public for the
 * evaluation harness's tests (package {@code model.eval.lm}).
 */
public final class TinyLlama {
    public static final LlamaConfig CONFIG = new LlamaConfig(64, 96, 2, 4, 2, 260, 64, 1e-5, 10_000, true, 256, 257);

    final LlamaConfig config;
    /** HF name -> row-major values. */
    final Map<String, float[]> weights = new LinkedHashMap<>();

    TinyLlama(LlamaConfig config, long seed) {
        this.config = config;
        Random random = new Random(seed);
        for (LlamaTensorNames.Entry e : LlamaTensorNames.all(config)) {
            int n = Math.toIntExact(e.shape().length == 1 ? e.shape()[0] : e.shape()[0] * e.shape()[1]);
            float[] v = new float[n];
            boolean norm = e.shape().length == 1;
            double std = norm ? 0.1 : 1 / Math.sqrt(e.shape()[1]);
            for (int i = 0; i < n; i++) {
                v[i] = (float) (norm ? 1 + std * random.nextGaussian() : std * random.nextGaussian());
            }
            weights.put(e.hfName(), v);
        }
    }

    public TinyLlama() {
        this(CONFIG, 42);
    }

    /** The weights rounded to {@code dtype} and back, as a model loaded from such a file sees them. */
    TinyLlama roundedTo(DType dtype) {
        TinyLlama copy = new TinyLlama(config, 0);
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            float[] v = e.getValue().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] = switch (dtype) {
                    case F16 -> Float.float16ToFloat(Float.floatToFloat16(v[i]));
                    case BF16 -> dev.prune4j.tensor.Half.bf16ToFloat(dev.prune4j.tensor.Half.floatToBf16(v[i]));
                    default -> v[i];
                };
            }
            copy.weights.put(e.getKey(), v);
        }
        return copy;
    }

    /** Writes {@code config.json} and {@code model.safetensors} (in {@code dtype}) into {@code dir}. */
    public Path writeFolder(Path dir, DType dtype) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES)
                .asString(config.toJson(dtype.name().toLowerCase(java.util.Locale.ROOT))));
        List<TensorSpec> specs = new ArrayList<>();
        for (LlamaTensorNames.Entry e : LlamaTensorNames.all(config)) {
            specs.add(new TensorSpec(e.hfName(), dtype, e.shape()));
        }
        try (SafeTensorsWriter w = SafeTensorsWriter.create(dir.resolve("model.safetensors"), specs, Map.of("format", "pt"))) {
            for (LlamaTensorNames.Entry e : LlamaTensorNames.all(config)) {
                Tensor t = w.tensor(e.hfName());
                float[] v = weights.get(e.hfName());
                for (int i = 0; i < v.length; i++) {
                    t.setFloat(i, v[i]);
                }
            }
            w.commit();
        }
        return dir;
    }

    /** Random token ids. */
    public static int[] tokens(int n, long seed) {
        Random random = new Random(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = random.nextInt(CONFIG.vocabSize());
        }
        return ids;
    }
}
