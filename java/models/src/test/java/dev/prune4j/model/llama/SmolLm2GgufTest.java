package dev.prune4j.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.gguf.GgmlType;
import dev.prune4j.gguf.GgufFile;
import dev.prune4j.gguf.GgufMetadata;
import dev.prune4j.gguf.GgufTensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GGUF reader on the real SmolLM2 file: its header as llama.cpp wrote it, and dequantised rows
 * of its Q8_0, Q4_1 and F32 tensors bit for bit equal to an independent numpy implementation
 * ({@code gguf_dequant_reference.py}).
 */
class SmolLm2GgufTest {
    @Test
    void headerAndMetadata() throws IOException {
        try (GgufFile f = GgufFile.open(SmolLm2Fixture.gguf())) {
            assertEquals(3, f.version());
            assertEquals(32, f.alignment());
            assertEquals(272, f.tensors().size());
            Map<GgmlType, Integer> types = new EnumMap<>(GgmlType.class);
            for (GgufTensorInfo t : f.tensors()) {
                types.merge(t.type(), 1, Integer::sum);
            }
            assertEquals(Map.of(GgmlType.Q4_1, 210, GgmlType.F32, 61, GgmlType.Q8_0, 1), types);
            GgufMetadata m = f.metadata();
            assertEquals(33, m.asMap().size());
            assertEquals("llama", m.string("general.architecture"));
            assertEquals("smollm", m.string("tokenizer.ggml.pre"));
            assertEquals(49_152, m.strings("tokenizer.ggml.tokens").size());
            assertEquals(48_900, m.strings("tokenizer.ggml.merges").size());
            assertEquals(100_000.0, m.real("llama.rope.freq_base"));
            assertEquals(1e-5f, (float) m.real("llama.attention.layer_norm_rms_epsilon"));
            assertArrayEquals(new long[] {49_152, 576}, f.info("token_embd.weight").shape());
            assertArrayEquals(new long[] {576, 1536}, f.info("blk.0.ffn_down.weight").shape());
            LlamaConfig c = LlamaConfig.fromGguf(m, !f.contains("output.weight"));
            assertEquals(new LlamaConfig(576, 1536, 30, 9, 3, 49_152, 8192, 1e-5, 100_000, true, 1, 2), c);
            long params = f.tensors().stream().mapToLong(GgufTensorInfo::numel).sum();
            assertEquals(134_515_008, params);
        }
    }

    @Test
    void dequantisedRowsEqualNumpy(@TempDir Path tmp) throws IOException, InterruptedException {
        Path gguf = SmolLm2Fixture.gguf();
        List<Map<String, Object>> requests = new ArrayList<>();
        requests.add(Map.of("tensor", "token_embd.weight", "rows", List.of(0, 1, 12_345, 49_151)));
        requests.add(Map.of("tensor", "blk.0.attn_q.weight", "rows", List.of(0, 1, 575)));
        requests.add(Map.of("tensor", "blk.7.attn_k.weight", "rows", List.of(191)));
        requests.add(Map.of("tensor", "blk.29.ffn_down.weight", "rows", List.of(0, 575)));
        requests.add(Map.of("tensor", "blk.15.ffn_gate.weight", "rows", List.of(1000)));
        requests.add(Map.of("tensor", "output_norm.weight", "rows", List.of(0)));
        Map<String, Object> ref = ReferencePython.run("gguf_dequant_reference.py", tmp, requests, gguf.toString());
        try (GgufFile f = GgufFile.open(gguf)) {
            assertEquals(((Number) ref.get("data_offset")).longValue(), f.dataOffset());
            for (Object o : (List<?>) ref.get("results")) {
                Map<?, ?> r = (Map<?, ?>) o;
                String name = (String) r.get("tensor");
                GgufTensorInfo info = f.info(name);
                assertEquals(r.get("type"), info.type().name());
                float[] all = f.toFloatArray(name);
                double sum = 0;
                for (float x : all) {
                    sum += x;
                }
                double expectedSum = ((Number) r.get("sum")).doubleValue();
                assertEquals(expectedSum, sum, 1e-9 * Math.max(1, Math.abs(expectedSum)), name + " sum");
                for (Map.Entry<?, ?> row : ((Map<?, ?>) r.get("rows")).entrySet()) {
                    int index = Integer.parseInt((String) row.getKey());
                    int[] bits = ReferencePython.ints(row.getValue());
                    float[] values = new float[(int) info.rowLength()];
                    f.dequantizeRows(name, index, 1, values, 0);
                    for (int i = 0; i < values.length; i++) {
                        assertEquals(bits[i], Float.floatToRawIntBits(values[i]), name + " row " + index + " element " + i);
                    }
                }
            }
        }
    }

    @Test
    void theGgufModelAgreesWithItsF16Conversion() throws IOException {
        // The only difference is rounding the dequantised weights to F16 for the folder.
        LlamaModel direct = LlamaModel.fromGguf(SmolLm2Fixture.gguf());
        LlamaModel converted = SmolLm2Fixture.model();
        CpuEngine engine = SmolLm2Fixture.engine();
        int[] ids = SmolLm2Fixture.tokenizer().encode("The quick brown fox jumps over the lazy dog because it");
        float[] a = direct.logits(engine, ids);
        float[] b = converted.logits(engine, ids);
        int vocab = direct.config().vocabSize();
        double worst = 0;
        for (int t = 0; t < ids.length; t++) {
            assertEquals(SmolLm2EquivalenceTest.argmax(b, t * vocab, vocab), SmolLm2EquivalenceTest.argmax(a, t * vocab, vocab),
                    "top-1 at " + t);
        }
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
        }
        // F16 keeps 11 bits of each weight; through 30 layers that moves logits by a few hundredths.
        assertTrue(worst < 0.1, "worst relative difference " + worst);
        System.out.printf("SmolLM2 from GGUF (F32) vs from its F16 folder: worst relative logit difference %.2e%n", worst);
    }
}
