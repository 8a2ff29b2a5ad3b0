package dev.prune4j.model.llama;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.prune4j.tensor.convert.F32Tensors;
import dev.prune4j.gguf.GgufFile;
import dev.prune4j.gguf.GgufMetadata;
import dev.prune4j.gguf.GgufTensorInfo;
import dev.prune4j.io.OutputFolder;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.safetensors.TensorSpec;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts a llama.cpp GGUF of a LLaMA-architecture model into a Hugging Face model folder that
 * {@code transformers} loads as {@code LlamaForCausalLM}: {@code model.safetensors} (every tensor
 * dequantised and stored in F16 by default), {@code config.json}, {@code tokenizer.json},
 * {@code tokenizer_config.json} and {@code generation_config.json}. Tensors get Hugging Face's
 * names, and the query and key rows get back the order llama.cpp's converter changed (see
 * {@link QkPermutation}). The folder is written beside the target and moved into place only when
 * complete; a target that exists and is not empty is refused.
 */
public final class GgufToHuggingFace {
    private static final JSON PRETTY = JSON.std.with(JSON.Feature.WRITE_NULL_PROPERTIES)
            .with(JSON.Feature.PRETTY_PRINT_OUTPUT);

    private GgufToHuggingFace() {}

    /** Converts {@code gguf} into the folder {@code target}, weights in F16. */
    public static void convert(Path gguf, Path target) throws IOException {
        convert(gguf, target, DType.F16);
    }

    /** Converts {@code gguf} into the folder {@code target}, weights in {@code dtype} (F16, BF16 or F32). */
    public static void convert(Path gguf, Path target, DType dtype) throws IOException {
        if (!dtype.prunable()) {
            throw new IllegalArgumentException("weights can be written as F16, BF16 or F32, not " + dtype);
        }
        try (GgufFile file = GgufFile.open(gguf); OutputFolder out = OutputFolder.create(target)) {
            GgufMetadata m = file.metadata();
            LlamaConfig config = LlamaConfig.fromGguf(m, !file.contains("output.weight"));
            BpeTokenizer tokenizer = BpeTokenizer.fromGguf(m);
            List<LlamaTensorNames.Entry> entries = LlamaTensorNames.all(config);
            checkShapes(file, entries);
            writeWeights(file, config, entries, out.path().resolve("model.safetensors"), dtype);
            String torchDtype = switch (dtype) {
                case F16 -> "float16";
                case BF16 -> "bfloat16";
                default -> "float32";
            };
            Files.writeString(out.path().resolve("config.json"), PRETTY.asString(config.toJson(torchDtype)));
            HfTokenizerJson.write(tokenizer, out.path().resolve("tokenizer.json"));
            Files.writeString(out.path().resolve("tokenizer_config.json"),
                    PRETTY.asString(tokenizerConfig(m, config, tokenizer)));
            Map<String, Object> generation = new LinkedHashMap<>();
            generation.put("bos_token_id", config.bosTokenId());
            generation.put("eos_token_id", config.eosTokenId());
            Files.writeString(out.path().resolve("generation_config.json"), PRETTY.asString(generation));
            out.commit();
        }
    }

    private static void checkShapes(GgufFile file, List<LlamaTensorNames.Entry> entries) throws IOException {
        for (LlamaTensorNames.Entry e : entries) {
            GgufTensorInfo t = file.info(e.ggufName());
            if (!Arrays.equals(t.shape(), e.shape())) {
                throw new IOException(file.path() + ": tensor '" + e.ggufName() + "' is " + Arrays.toString(t.shape())
                        + ", the config needs " + Arrays.toString(e.shape()));
            }
        }
    }

    private static void writeWeights(GgufFile file, LlamaConfig config, List<LlamaTensorNames.Entry> entries, Path path,
                                     DType dtype) throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        for (LlamaTensorNames.Entry e : entries) {
            specs.add(new TensorSpec(e.hfName(), dtype, e.shape()));
        }
        try (SafeTensorsWriter w = SafeTensorsWriter.create(path, specs, Map.of("format", "pt"))) {
            for (LlamaTensorNames.Entry e : entries) {
                float[] values = LlamaWeights.hfOrder(file, e, config);
                Tensor src = new Tensor(e.hfName(), DType.F32, e.shape(), MemorySegment.ofArray(values));
                Tensor dst = w.tensor(e.hfName());
                F32Tensors.writeRounded(src, dst);
                requireFinite(file.path(), e, dst, dtype);
            }
            w.commit();
        }
    }

    /** F16 tops out at 65504: a weight beyond it would silently become infinite. */
    private static void requireFinite(Path gguf, LlamaTensorNames.Entry e, Tensor t, DType dtype) throws IOException {
        if (dtype == DType.F32) {
            return;
        }
        for (long i = 0; i < t.numel(); i++) {
            if (!Float.isFinite(t.getFloat(i))) {
                throw new IOException(gguf + ": tensor '" + e.ggufName() + "' holds a value that is not finite in "
                        + dtype + " (element " + i + "); convert to F32 or BF16");
            }
        }
    }

    private static Map<String, Object> tokenizerConfig(GgufMetadata m, LlamaConfig config, BpeTokenizer tokenizer)
            throws IOException {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("tokenizer_class", "GPT2Tokenizer");
        j.put("add_bos_token", m.bool("tokenizer.ggml.add_bos_token", false));
        j.put("add_eos_token", m.bool("tokenizer.ggml.add_eos_token", false));
        j.put("add_prefix_space", false);
        j.put("clean_up_tokenization_spaces", false);
        j.put("model_max_length", config.maxPositions());
        j.put("bos_token", tokenizer.token(config.bosTokenId()));
        j.put("eos_token", tokenizer.token(config.eosTokenId()));
        if (m.contains("tokenizer.ggml.unknown_token_id")) {
            j.put("unk_token", tokenizer.token((int) m.integer("tokenizer.ggml.unknown_token_id")));
        }
        if (m.contains("tokenizer.ggml.padding_token_id")) {
            j.put("pad_token", tokenizer.token((int) m.integer("tokenizer.ggml.padding_token_id")));
        }
        if (m.contains("tokenizer.chat_template")) {
            j.put("chat_template", m.string("tokenizer.chat_template"));
        }
        return j;
    }
}
