package dev.prune4j.model.llama;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes a {@link TinyLlama} as llama.cpp's converter would: a GGUF v3 with llama metadata, a
 * byte-level tokenizer (the 256 byte tokens and four control tokens), F32 tensors under GGUF names
 * and dims, and the query and key rows permuted the llama.cpp way
 * ({@code W.reshape(heads, 2, d/2, in).swapaxes(1, 2)}).
 */
final class TinyGguf {
    static final List<String> SPECIALS = List.of("<|bos|>", "<|eos|>", "<|im_start|>", "<|im_end|>");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private TinyGguf() {}

    /** Writes {@code model} to {@code file}, leaving out the GGUF tensors named in {@code omit}. */
    static Path write(TinyLlama model, Path file, Set<String> omit) throws IOException {
        LlamaConfig c = model.config;
        List<LlamaTensorNames.Entry> entries = new ArrayList<>();
        for (LlamaTensorNames.Entry e : LlamaTensorNames.all(c)) {
            if (!omit.contains(e.ggufName())) {
                entries.add(e);
            }
        }
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevelAlphabet.charOf(b)));
        }
        tokens.addAll(SPECIALS);
        TinyGguf g = new TinyGguf();
        g.raw("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(entries.size()).u64(17);
        g.kvString("general.architecture", "llama");
        g.kvU32("llama.embedding_length", c.hiddenSize());
        g.kvU32("llama.feed_forward_length", c.intermediateSize());
        g.kvU32("llama.block_count", c.layers());
        g.kvU32("llama.attention.head_count", c.heads());
        g.kvU32("llama.attention.head_count_kv", c.kvHeads());
        g.kvU32("llama.context_length", c.maxPositions());
        g.kvU32("llama.rope.dimension_count", c.headDim());
        g.str("llama.attention.layer_norm_rms_epsilon").u32(6).f32((float) c.rmsNormEps());
        g.str("llama.rope.freq_base").u32(6).f32((float) c.ropeTheta());
        g.kvString("tokenizer.ggml.model", "gpt2");
        g.kvString("tokenizer.ggml.pre", "smollm");
        g.str("tokenizer.ggml.tokens").u32(9).u32(8).u64(tokens.size());
        tokens.forEach(g::str);
        g.str("tokenizer.ggml.token_type").u32(9).u32(5).u64(tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            g.u32(i < 256 ? 1 : 3);
        }
        g.str("tokenizer.ggml.merges").u32(9).u32(8).u64(0);
        g.kvU32("tokenizer.ggml.bos_token_id", c.bosTokenId());
        g.kvU32("tokenizer.ggml.eos_token_id", c.eosTokenId());
        long offset = 0;
        for (LlamaTensorNames.Entry e : entries) {
            long[] s = e.shape();
            g.str(e.ggufName()).u32(s.length);
            for (int i = s.length - 1; i >= 0; i--) {
                g.u64(s[i]); // ggml order: fastest dimension first
            }
            g.u32(0).u64(offset); // F32
            offset += (4L * numel(s) + 31) / 32 * 32;
        }
        g.pad();
        for (LlamaTensorNames.Entry e : entries) {
            float[] v = model.weights.get(e.hfName());
            int heads = LlamaTensorNames.permutedHeads(e.hfName(), c);
            if (heads > 0) {
                v = llamaCppPermute(v, (int) e.shape()[0], (int) e.shape()[1], heads);
            }
            for (float x : v) {
                g.f32(x);
            }
            g.pad();
        }
        return Files.write(file, g.out.toByteArray());
    }

    /** llama.cpp's permutation: HF row {@code j * d/2 + i} of a head becomes row {@code 2i + j}. */
    static float[] llamaCppPermute(float[] hf, int rows, int cols, int heads) {
        int headRows = rows / heads;
        int half = headRows / 2;
        float[] out = new float[hf.length];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < 2; j++) {
                for (int i = 0; i < half; i++) {
                    System.arraycopy(hf, (h * headRows + j * half + i) * cols, out, (h * headRows + 2 * i + j) * cols, cols);
                }
            }
        }
        return out;
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private TinyGguf raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    private TinyGguf u32(int v) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }

    private TinyGguf u64(long v) {
        return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    private TinyGguf f32(float v) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
    }

    private TinyGguf str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).raw(b);
    }

    private void kvString(String key, String value) {
        str(key).u32(8).str(value);
    }

    private void kvU32(String key, int value) {
        str(key).u32(4).u32(value);
    }

    private void pad() {
        while (out.size() % 32 != 0) {
            out.write(0);
        }
    }
}
