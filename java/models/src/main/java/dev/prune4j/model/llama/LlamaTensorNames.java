package dev.prune4j.model.llama;

import java.util.ArrayList;
import java.util.List;

/**
 * The tensors of a LLaMA decoder under Hugging Face's names, with llama.cpp's GGUF name for each.
 * Weight shapes are PyTorch's {@code [out, in]}.
 */
final class LlamaTensorNames {
    /** The seven linear layers of a decoder layer, in execution order, after {@code model.layers.N.}. */
    static final List<String> LAYER_LINEARS = List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
            "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj");

    static final String EMBEDDING = "model.embed_tokens.weight";
    static final String FINAL_NORM = "model.norm.weight";
    static final String LM_HEAD = "lm_head.weight";

    /** One tensor: its HF name, its GGUF name, its shape. */
    record Entry(String hfName, String ggufName, long[] shape) {}

    private LlamaTensorNames() {}

    static String layerPrefix(int layer) {
        return "model.layers." + layer + ".";
    }

    /** Every tensor of the model in file order of a HF checkpoint. */
    static List<Entry> all(LlamaConfig c) {
        int h = c.hiddenSize();
        int kv = c.kvDim();
        int inter = c.intermediateSize();
        List<Entry> out = new ArrayList<>();
        out.add(new Entry(EMBEDDING, "token_embd.weight", new long[] {c.vocabSize(), h}));
        for (int l = 0; l < c.layers(); l++) {
            String p = layerPrefix(l);
            String g = "blk." + l + ".";
            out.add(new Entry(p + "input_layernorm.weight", g + "attn_norm.weight", new long[] {h}));
            out.add(new Entry(p + "self_attn.q_proj.weight", g + "attn_q.weight", new long[] {h, h}));
            out.add(new Entry(p + "self_attn.k_proj.weight", g + "attn_k.weight", new long[] {kv, h}));
            out.add(new Entry(p + "self_attn.v_proj.weight", g + "attn_v.weight", new long[] {kv, h}));
            out.add(new Entry(p + "self_attn.o_proj.weight", g + "attn_output.weight", new long[] {h, h}));
            out.add(new Entry(p + "post_attention_layernorm.weight", g + "ffn_norm.weight", new long[] {h}));
            out.add(new Entry(p + "mlp.gate_proj.weight", g + "ffn_gate.weight", new long[] {inter, h}));
            out.add(new Entry(p + "mlp.up_proj.weight", g + "ffn_up.weight", new long[] {inter, h}));
            out.add(new Entry(p + "mlp.down_proj.weight", g + "ffn_down.weight", new long[] {h, inter}));
        }
        out.add(new Entry(FINAL_NORM, "output_norm.weight", new long[] {h}));
        if (!c.tieWordEmbeddings()) {
            out.add(new Entry(LM_HEAD, "output.weight", new long[] {c.vocabSize(), h}));
        }
        return out;
    }

    /**
     * The heads a weight's rows must be un-permuted by (llama.cpp's converter interleaves the
     * rotary halves of q and k rows), or 0 for a tensor stored as is.
     */
    static int permutedHeads(String hfName, LlamaConfig c) {
        if (hfName.endsWith("self_attn.q_proj.weight")) {
            return c.heads();
        }
        if (hfName.endsWith("self_attn.k_proj.weight")) {
            return c.kvHeads();
        }
        return 0;
    }
}
