package dev.prune4j.model.llama;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.gguf.GgufFile;
import dev.prune4j.model.bert.Linear;
import dev.prune4j.model.bert.LinearInputObserver;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * A LLaMA-architecture decoder (SmolLM2, LLaMA 2/3) in F32 on the CPU, computing what Hugging
 * Face's {@code LlamaForCausalLM} computes:
 * <pre>
 *   h = embed(tokens)
 *   per layer:  h += o_proj(attention(rope(q_proj(n)), rope(k_proj(n)), v_proj(n)))   with n = rmsnorm(h)
 *               h += down_proj(silu(gate_proj(n)) * up_proj(n))                      with n = rmsnorm(h)
 *   logits = lm_head(rmsnorm(h))        (lm_head is the embedding matrix when tied)
 * </pre>
 * Every linear layer of the decoder layers goes through a {@link Linear} under its checkpoint name
 * ({@code model.layers.0.self_attn.q_proj}), and its input is shown to a {@link LinearInputObserver}
 * (q, k and v see the same input, as do gate and up). The tied {@code lm_head} is the embedding
 * matrix, which pruning keeps, so it is not shown to observers.
 *
 * <p>Tokens are processed in chunks against a {@link KvCache}: a whole window at once for scoring,
 * one token at a time for generation. Immutable: {@link #withLinearWeights} returns a new model
 * sharing every other tensor. Weights live in an automatic arena, freed when no model uses them.
 */
public final class LlamaModel {
    /** Tokens per element-wise task (norms, RoPE, residuals, SiLU): keeps tasks a few microseconds long. */
    private static final int TOKEN_CHUNK = 16;
    /** Tokens whose logits are computed at once when scoring: bounds the logits buffer to a few MB. */
    static final int LOGIT_CHUNK = 64;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final LlamaConfig config;
    private final Tensor embedding;
    private final List<Layer> layers;
    private final float[] finalNorm;
    private final Linear lmHead;
    private final Rope rope;
    private final CausalAttention attention;

    /** One decoder layer: its two norms' weights and its seven linear layers. */
    private record Layer(float[] inputNorm, Linear q, Linear k, Linear v, Linear o, float[] postNorm, Linear gate,
                         Linear up, Linear down) {
        List<Linear> linears() {
            return List.of(q, k, v, o, gate, up, down);
        }

        Layer map(UnaryOperator<Linear> f) {
            return new Layer(inputNorm, f.apply(q), f.apply(k), f.apply(v), f.apply(o), postNorm, f.apply(gate),
                    f.apply(up), f.apply(down));
        }

        Layer replace(Map<String, Tensor> weights, Set<String> used) {
            return map(l -> {
                Tensor w = weights.get(l.name());
                if (w == null) {
                    return l;
                }
                used.add(l.name());
                return l.withWeight(w);
            });
        }
    }

    private LlamaModel(LlamaConfig config, Tensor embedding, List<Layer> layers, float[] finalNorm, Linear lmHead) {
        this.config = config;
        this.embedding = embedding;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        this.rope = new Rope(config.headDim(), config.ropeTheta());
        this.attention = new CausalAttention(config);
    }

    /** The model of a Hugging Face folder ({@code config.json} and safetensors weights in F32, F16 or BF16). */
    public static LlamaModel load(Path dir) throws IOException {
        LlamaConfig config = LlamaConfig.fromJson(dir.resolve("config.json"));
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            return build(config, LlamaWeights.checkpoint(checkpoint, Arena.ofAuto()));
        }
    }

    /** The model of a llama.cpp GGUF, dequantised to F32 (query and key rows put back in Hugging Face's order). */
    public static LlamaModel fromGguf(Path gguf) throws IOException {
        try (GgufFile file = GgufFile.open(gguf)) {
            LlamaConfig config = LlamaConfig.fromGguf(file.metadata(), !file.contains("output.weight"));
            return build(config, LlamaWeights.gguf(file, config, Arena.ofAuto()));
        }
    }

    private static LlamaModel build(LlamaConfig config, LlamaWeights.Source source) throws IOException {
        Map<String, LlamaTensorNames.Entry> entries = new LinkedHashMap<>();
        for (LlamaTensorNames.Entry e : LlamaTensorNames.all(config)) {
            entries.put(e.hfName(), e);
        }
        Tensor embedding = source.f32(entries.get(LlamaTensorNames.EMBEDDING));
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            String p = LlamaTensorNames.layerPrefix(l);
            layers.add(new Layer(
                    source.f32(entries.get(p + "input_layernorm.weight")).toFloatArray(),
                    linear(source, entries, p + "self_attn.q_proj"),
                    linear(source, entries, p + "self_attn.k_proj"),
                    linear(source, entries, p + "self_attn.v_proj"),
                    linear(source, entries, p + "self_attn.o_proj"),
                    source.f32(entries.get(p + "post_attention_layernorm.weight")).toFloatArray(),
                    linear(source, entries, p + "mlp.gate_proj"),
                    linear(source, entries, p + "mlp.up_proj"),
                    linear(source, entries, p + "mlp.down_proj")));
        }
        float[] norm = source.f32(entries.get(LlamaTensorNames.FINAL_NORM)).toFloatArray();
        Linear lmHead = config.tieWordEmbeddings() ? new Linear("lm_head", embedding, null)
                : new Linear("lm_head", source.f32(entries.get(LlamaTensorNames.LM_HEAD)), null);
        return new LlamaModel(config, embedding, layers, norm, lmHead);
    }

    private static Linear linear(LlamaWeights.Source source, Map<String, LlamaTensorNames.Entry> entries, String name)
            throws IOException {
        return new Linear(name, source.f32(entries.get(name + ".weight")), null);
    }

    public LlamaConfig config() {
        return config;
    }

    /** Every linear layer of the decoder layers (seven per layer), in execution order: what a pruner replaces. */
    public List<Linear> linears() {
        List<Linear> all = new ArrayList<>();
        for (Layer l : layers) {
            all.addAll(l.linears());
        }
        return Collections.unmodifiableList(all);
    }

    /** The linear layers grouped by decoder layer: the unit sequential calibration prunes before moving on. */
    public List<List<Linear>> linearsByLayer() {
        List<List<Linear>> out = new ArrayList<>();
        for (Layer l : layers) {
            out.add(l.linears());
        }
        return Collections.unmodifiableList(out);
    }

    /** The output projection (the embedding matrix when tied). */
    public Linear lmHead() {
        return lmHead;
    }

    /**
     * This model with some linear weights replaced: {@code weights} maps a linear layer's name
     * ({@code model.layers.0.self_attn.q_proj}) to its new F32 weight of the same shape.
     */
    public LlamaModel withLinearWeights(Map<String, Tensor> weights) {
        Set<String> used = new HashSet<>();
        List<Layer> replaced = new ArrayList<>();
        for (Layer l : layers) {
            replaced.add(l.replace(weights, used));
        }
        if (used.size() != weights.size()) {
            Set<String> unknown = new TreeSet<>(weights.keySet());
            unknown.removeAll(used);
            throw new IllegalArgumentException("no linear layer named " + unknown + "; layers are named like '"
                    + layers.getFirst().q().name() + "'");
        }
        return new LlamaModel(config, embedding, replaced, finalNorm, lmHead);
    }

    /**
     * This model with every decoder linear layer on the 2:4 kernels ({@link Linear#withSparse24Kernels}),
     * the compressed weights in {@code arena}: what a 2:4-pruned model runs as for generation.
     *
     * @throws IllegalArgumentException naming the first layer whose weight is not 2:4 sparse
     */
    public LlamaModel withSparse24Kernels(Arena arena) {
        List<Layer> compressed = new ArrayList<>();
        for (Layer l : layers) {
            compressed.add(l.map(linear -> {
                try {
                    return linear.withSparse24Kernels(arena);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("linear layer '" + linear.name() + "' is not 2:4 sparse: "
                            + e.getMessage(), e);
                }
            }));
        }
        return new LlamaModel(config, embedding, compressed, finalNorm, lmHead);
    }

    /** A cache for one sequence of up to {@code capacity} tokens. */
    public KvCache newCache(int capacity) {
        return new KvCache(config, capacity);
    }

    // ------------------------------------------------------------------ the forward pass

    /** The hidden states {@code [tokens, hidden]} of a new window: row t is token t's embedding. */
    public float[] embed(int[] tokens) {
        int h = config.hiddenSize();
        float[] x = new float[tokens.length * h];
        for (int t = 0; t < tokens.length; t++) {
            int id = tokens[t];
            if (id < 0 || id >= config.vocabSize()) {
                throw new IllegalArgumentException("token " + t + " has id " + id + ", outside the vocabulary of "
                        + config.vocabSize());
            }
            MemorySegment.copy(embedding.data(), F32, (long) id * h * Float.BYTES, x, t * h, h);
        }
        return x;
    }

    /**
     * Runs {@code tokens} new tokens through every decoder layer, appending their keys and values to
     * {@code cache}, and returns their final hidden states (after the last RMSNorm),
     * {@code [tokens, hidden]}.
     */
    public float[] forward(CpuEngine engine, KvCache cache, int[] tokens, LinearInputObserver observer) {
        cache.requireRoom(tokens.length);
        float[] hidden = embed(tokens);
        Scratch s = new Scratch(config, tokens.length);
        int first = cache.length();
        for (int l = 0; l < layers.size(); l++) {
            layer(engine, l, hidden, tokens.length, cache, first, s, observer, true);
        }
        cache.advance(tokens.length);
        rmsNorm(engine, hidden, finalNorm, tokens.length, hidden);
        return hidden;
    }

    /**
     * Decoder layer {@code layer} on a new window of hidden states, in place: {@code hidden} holds
     * {@code tokens} rows at positions {@code 0 .. tokens - 1}. The building block of sequential
     * calibration, which runs each layer over the calibration windows after pruning the ones before.
     */
    public void applyLayer(CpuEngine engine, int layer, float[] hidden, int tokens, LinearInputObserver observer) {
        KvCache cache = new KvCache(config, tokens);
        layer(engine, layer, hidden, tokens, cache, 0, new Scratch(config, tokens), observer, true);
    }

    /**
     * Shows {@code observer} the inputs of decoder layer {@code layer}'s seven linear layers for a
     * new window of hidden states, as {@link #applyLayer} would, without computing the layer's
     * output: the last product ({@code down_proj}, a quarter of the layer's multiply-adds) is
     * skipped. {@code hidden} is left unchanged. Calibration's observing run, which keeps only
     * statistics.
     */
    public void observeLayer(CpuEngine engine, int layer, float[] hidden, int tokens, LinearInputObserver observer) {
        KvCache cache = new KvCache(config, tokens);
        float[] copy = java.util.Arrays.copyOf(hidden, tokens * config.hiddenSize());
        layer(engine, layer, copy, tokens, cache, 0, new Scratch(config, tokens), observer, false);
    }

    /** The logits {@code [tokens, vocab]} of every position of a new sequence. */
    public float[] logits(CpuEngine engine, int[] tokens) {
        float[] hidden = forward(engine, newCache(tokens.length), tokens, LinearInputObserver.NONE);
        float[] logits = new float[tokens.length * config.vocabSize()];
        lmHead.forward(engine, hidden, tokens.length, logits);
        return logits;
    }

    /** Feeds {@code tokens} (one or more) to a running sequence and returns the logits {@code [vocab]} after the last. */
    public float[] nextLogits(CpuEngine engine, KvCache cache, int... tokens) {
        float[] hidden = forward(engine, cache, tokens, LinearInputObserver.NONE);
        int h = config.hiddenSize();
        float[] last = java.util.Arrays.copyOfRange(hidden, (tokens.length - 1) * h, tokens.length * h);
        float[] logits = new float[config.vocabSize()];
        lmHead.forward(engine, last, 1, logits);
        return logits;
    }

    /** Scratch arrays of one chunk, reused across layers. */
    private static final class Scratch {
        final float[] normed, q, k, v, context, projected, gate, up;

        Scratch(LlamaConfig c, int tokens) {
            normed = new float[tokens * c.hiddenSize()];
            q = new float[tokens * c.hiddenSize()];
            k = new float[tokens * c.kvDim()];
            v = new float[tokens * c.kvDim()];
            context = new float[tokens * c.hiddenSize()];
            projected = new float[tokens * c.hiddenSize()];
            gate = new float[tokens * c.intermediateSize()];
            up = new float[tokens * c.intermediateSize()];
        }
    }

    /** Decoder layer {@code index} in place; without {@code output}, stops once down_proj's input is observed. */
    private void layer(CpuEngine engine, int index, float[] hidden, int tokens, KvCache cache, int first, Scratch s,
                       LinearInputObserver observer, boolean output) {
        Layer layer = layers.get(index);
        int h = config.hiddenSize();
        rmsNorm(engine, hidden, layer.inputNorm(), tokens, s.normed);
        apply(engine, layer.q(), s.normed, tokens, s.q, observer);
        apply(engine, layer.k(), s.normed, tokens, s.k, observer);
        apply(engine, layer.v(), s.normed, tokens, s.v, observer);
        forChunks(engine, tokens, (from, to) -> {
            rope.apply(s.q, config.heads(), from, to, first);
            rope.apply(s.k, config.kvHeads(), from, to, first);
        });
        cache.put(index, s.k, s.v, tokens);
        attention.apply(engine, s.q, cache, index, tokens, first, s.context);
        apply(engine, layer.o(), s.context, tokens, s.projected, observer);
        forChunks(engine, tokens, (from, to) -> VectorMath.add(s.projected, hidden, from * h, (to - from) * h));
        rmsNorm(engine, hidden, layer.postNorm(), tokens, s.normed);
        apply(engine, layer.gate(), s.normed, tokens, s.gate, observer);
        apply(engine, layer.up(), s.normed, tokens, s.up, observer);
        int inter = config.intermediateSize();
        forChunks(engine, tokens, (from, to) -> VectorMath.siluTimes(s.gate, s.up, from * inter, (to - from) * inter));
        if (!output) {
            observe(layer.down(), s.gate, tokens, observer);
            return;
        }
        apply(engine, layer.down(), s.gate, tokens, s.projected, observer);
        forChunks(engine, tokens, (from, to) -> VectorMath.add(s.projected, hidden, from * h, (to - from) * h));
    }

    private static void apply(CpuEngine engine, Linear linear, float[] x, int tokens, float[] y,
                              LinearInputObserver observer) {
        observe(linear, x, tokens, observer);
        linear.forward(engine, x, tokens, y);
    }

    private static void observe(Linear linear, float[] x, int tokens, LinearInputObserver observer) {
        if (observer != LinearInputObserver.NONE) {
            int in = linear.inFeatures();
            MemorySegment view = MemorySegment.ofArray(x).asSlice(0, (long) tokens * in * Float.BYTES);
            observer.observe(linear.name(), new Tensor(linear.name() + ".input", DType.F32, new long[] {tokens, in}, view));
        }
    }

    /**
     * {@code out = weight * (x * rsqrt(mean(x^2) + eps))} per row, in that order as in
     * {@code LlamaRMSNorm}; {@code out} may be {@code x}.
     */
    private void rmsNorm(CpuEngine engine, float[] x, float[] weight, int tokens, float[] out) {
        int h = config.hiddenSize();
        double eps = config.rmsNormEps();
        forChunks(engine, tokens, (from, to) -> {
            for (int t = from; t < to; t++) {
                int off = t * h;
                float variance = (float) (VectorMath.sumOfSquares(x, off, h) / h);
                float inv = (float) (1.0 / Math.sqrt(variance + (float) eps));
                for (int i = 0; i < h; i++) {
                    out[off + i] = weight[i] * (x[off + i] * inv);
                }
            }
        });
    }

    @FunctionalInterface
    private interface RangeBody {
        void run(int from, int to);
    }

    /** {@code body} over token ranges of {@link #TOKEN_CHUNK}, in parallel when there are several. */
    private static void forChunks(CpuEngine engine, int tokens, RangeBody body) {
        int chunks = (tokens + TOKEN_CHUNK - 1) / TOKEN_CHUNK;
        if (chunks <= 1) {
            body.run(0, tokens);
            return;
        }
        engine.parallelFor(chunks, c -> body.run(c * TOKEN_CHUNK, Math.min(tokens, (c + 1) * TOKEN_CHUNK)));
    }
}
