package dev.prune4j.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.safetensors.TensorInfo;
import dev.prune4j.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GGUF to Hugging Face folder on a small model written the way llama.cpp writes one. */
class GgufToHuggingFaceTest {
    @TempDir
    Path dir;

    @Test
    void weightsGetHuggingFaceNamesAndQkRowOrderBack() throws IOException {
        TinyLlama tiny = new TinyLlama();
        Path gguf = TinyGguf.write(tiny, dir.resolve("tiny.gguf"), Set.of());
        Path out = dir.resolve("hf");
        GgufToHuggingFace.convert(gguf, out, DType.F32);
        try (SafeTensorsFile st = SafeTensorsFile.open(out.resolve("model.safetensors"))) {
            List<String> names = st.tensors().stream().map(TensorInfo::name).sorted().toList();
            assertEquals(LlamaTensorNames.all(tiny.config).stream().map(LlamaTensorNames.Entry::hfName).sorted().toList(),
                    names);
            assertFalse(st.contains("lm_head.weight"), "tied: no lm_head");
            assertEquals("pt", st.metadata().get("format"));
            for (LlamaTensorNames.Entry e : LlamaTensorNames.all(tiny.config)) {
                assertArrayEquals(e.shape(), st.info(e.hfName()).shape(), e.hfName());
                assertArrayEquals(tiny.weights.get(e.hfName()), st.tensor(e.hfName()).toFloatArray(), e.hfName());
            }
        }
        assertEquals(tiny.config, LlamaConfig.fromJson(out.resolve("config.json")));
        BpeTokenizer tokenizer = BpeTokenizer.fromTokenizerJson(out.resolve("tokenizer.json"));
        assertEquals(260, tokenizer.vocabSize());
        assertArrayEquals(new int[] {'h', 'i', 258}, tokenizer.encode("hi<|im_start|>"));
        for (String f : List.of("tokenizer_config.json", "generation_config.json")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertTrue(Files.readString(out.resolve("tokenizer_config.json")).contains("\"eos_token\" : \"<|eos|>\""));
    }

    @Test
    void theGgufModelAndTheConvertedFolderComputeTheSame() throws IOException {
        TinyLlama tiny = new TinyLlama();
        Path gguf = TinyGguf.write(tiny, dir.resolve("tiny.gguf"), Set.of());
        GgufToHuggingFace.convert(gguf, dir.resolve("hf"), DType.F32);
        int[] tokens = TinyLlama.tokens(11, 7);
        try (CpuEngine engine = new CpuEngine(2)) {
            float[] fromGguf = LlamaModel.fromGguf(gguf).logits(engine, tokens);
            assertArrayEquals(LlamaModel.load(dir.resolve("hf")).logits(engine, tokens), fromGguf);
            assertTrue(LlamaModelTest.worst(fromGguf, new LlamaOracle(tiny).logits(tokens)) < 2e-5);
        }
    }

    @Test
    void f16IsTheDefaultAndUntiedModelsKeepTheirLmHead() throws IOException {
        LlamaConfig c = TinyLlama.CONFIG;
        TinyLlama untied = new TinyLlama(new LlamaConfig(c.hiddenSize(), c.intermediateSize(), c.layers(), c.heads(),
                c.kvHeads(), c.vocabSize(), c.maxPositions(), c.rmsNormEps(), c.ropeTheta(), false, 256, 257), 9);
        Path gguf = TinyGguf.write(untied, dir.resolve("untied.gguf"), Set.of());
        Path out = dir.resolve("hf16");
        GgufToHuggingFace.convert(gguf, out);
        try (SafeTensorsFile st = SafeTensorsFile.open(out.resolve("model.safetensors"))) {
            assertEquals(DType.F16, st.info("lm_head.weight").dtype());
            float[] lmHead = untied.roundedTo(DType.F16).weights.get("lm_head.weight");
            assertArrayEquals(lmHead, st.tensor("lm_head.weight").toFloatArray());
        }
        assertFalse(LlamaConfig.fromJson(out.resolve("config.json")).tieWordEmbeddings());
        assertTrue(Files.readString(out.resolve("config.json")).contains("\"torch_dtype\" : \"float16\""));
    }

    @Test
    void aFailedConversionLeavesNothingBehind() throws IOException {
        Path gguf = TinyGguf.write(new TinyLlama(), dir.resolve("broken.gguf"), Set.of("blk.1.ffn_up.weight"));
        Path out = dir.resolve("out");
        IOException e = assertThrows(IOException.class, () -> GgufToHuggingFace.convert(gguf, out));
        assertTrue(e.getMessage().contains("blk.1.ffn_up.weight"), e.getMessage());
        assertFalse(Files.exists(out));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(gguf), left.toList(), "no temporary folder left");
        }
    }

    @Test
    void aNonEmptyTargetIsRefused() throws IOException {
        Path gguf = TinyGguf.write(new TinyLlama(), dir.resolve("tiny.gguf"), Set.of());
        Path out = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        IOException e = assertThrows(IOException.class, () -> GgufToHuggingFace.convert(gguf, out));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    }

    @Test
    void theRowPermutationIsUndone() {
        float[] hf = new float[8 * 3];
        for (int i = 0; i < hf.length; i++) {
            hf[i] = i;
        }
        float[] gguf = TinyGguf.llamaCppPermute(hf, 8, 3, 2);
        // Head 0 rows [0 1 2 3] in HF order are stored [0 2 1 3]: pairs (i, i + d/2) side by side.
        assertArrayEquals(new float[] {0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11}, java.util.Arrays.copyOf(gguf, 12));
        assertArrayEquals(hf, QkPermutation.toHuggingFace(gguf, 8, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> QkPermutation.toHuggingFace(gguf, 8, 3, 3));
    }
}
