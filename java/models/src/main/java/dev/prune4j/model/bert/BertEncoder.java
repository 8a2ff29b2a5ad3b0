package dev.prune4j.model.bert;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BERT's encoder in F32, as Hugging Face's {@code BertModel} computes its last hidden state:
 * word + position + token-type embeddings and LayerNorm, then per layer self-attention (Q, K, V,
 * scaled dot products, softmax, output projection, residual, LayerNorm) and the GELU MLP (residual,
 * LayerNorm). Dropout is off (inference); every sentence has token type 0.
 *
 * <p>Sentences of a batch are packed one after the other, without padding: attention runs within
 * each sentence only, which is what the padded computation with an attention mask yields for the
 * real tokens, and the calibration observer sees real tokens only.
 *
 * <p>Immutable: {@link #withLinearWeights} returns a new encoder sharing all other tensors.
 */
public final class BertEncoder {
    /** The six linear layers of one encoder layer, as named in the checkpoint after {@code encoder.layer.N.}. */
    public static final List<String> LAYER_LINEARS = List.of("attention.self.query", "attention.self.key",
            "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense");

    private final BertConfig config;
    private final Tensor wordEmbeddings;
    private final Tensor positionEmbeddings;
    private final Tensor tokenTypeEmbeddings;
    private final LayerNorm embeddingNorm;
    private final List<Layer> layers;

    private record Layer(Linear query, Linear key, Linear value, Linear attentionOutput, LayerNorm attentionNorm,
                         Linear intermediate, Linear output, LayerNorm outputNorm) {
        List<Linear> linears() {
            return List.of(query, key, value, attentionOutput, intermediate, output);
        }

        Layer replace(Map<String, Tensor> weights, Set<String> used) {
            return new Layer(swap(query, weights, used), swap(key, weights, used), swap(value, weights, used),
                    swap(attentionOutput, weights, used), attentionNorm, swap(intermediate, weights, used),
                    swap(output, weights, used), outputNorm);
        }

        private static Linear swap(Linear l, Map<String, Tensor> weights, Set<String> used) {
            Tensor w = weights.get(l.name());
            if (w == null) {
                return l;
            }
            used.add(l.name());
            return l.withWeight(w);
        }
    }

    /** {@code y = (x - mean) / sqrt(var + eps) * gamma + beta} over the last dimension. */
    private record LayerNorm(float[] gamma, float[] beta, double eps) {
        void apply(float[] x, int tokens, int width) {
            for (int t = 0; t < tokens; t++) {
                int off = t * width;
                double mean = 0;
                for (int i = 0; i < width; i++) {
                    mean += x[off + i];
                }
                mean /= width;
                double var = 0;
                for (int i = 0; i < width; i++) {
                    double d = x[off + i] - mean;
                    var += d * d;
                }
                var /= width;
                double inv = 1.0 / Math.sqrt(var + eps);
                for (int i = 0; i < width; i++) {
                    x[off + i] = (float) ((x[off + i] - mean) * inv * gamma[i] + beta[i]);
                }
            }
        }
    }

    private BertEncoder(BertConfig config, Tensor word, Tensor position, Tensor tokenType, LayerNorm embeddingNorm,
                        List<Layer> layers) {
        this.config = config;
        this.wordEmbeddings = word;
        this.positionEmbeddings = position;
        this.tokenTypeEmbeddings = tokenType;
        this.embeddingNorm = embeddingNorm;
        this.layers = layers;
    }

    /** The encoder whose tensors are in {@code checkpoint} (kept open by the caller), shaped by {@code config}. */
    public static BertEncoder load(Checkpoint checkpoint, BertConfig config) throws IOException {
        int h = config.hiddenSize();
        Tensor word = tensor(checkpoint, "embeddings.word_embeddings.weight", config.vocabSize(), h);
        Tensor position = tensor(checkpoint, "embeddings.position_embeddings.weight", config.maxPositions(), h);
        Tensor type = tensor(checkpoint, "embeddings.token_type_embeddings.weight", config.typeVocabSize(), h);
        LayerNorm norm = layerNorm(checkpoint, "embeddings.LayerNorm", config);
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            String p = "encoder.layer." + l + ".";
            int inter = config.intermediateSize();
            layers.add(new Layer(
                    linear(checkpoint, p + "attention.self.query", h, h),
                    linear(checkpoint, p + "attention.self.key", h, h),
                    linear(checkpoint, p + "attention.self.value", h, h),
                    linear(checkpoint, p + "attention.output.dense", h, h),
                    layerNorm(checkpoint, p + "attention.output.LayerNorm", config),
                    linear(checkpoint, p + "intermediate.dense", inter, h),
                    linear(checkpoint, p + "output.dense", h, inter),
                    layerNorm(checkpoint, p + "output.LayerNorm", config)));
        }
        return new BertEncoder(config, word, position, type, norm, List.copyOf(layers));
    }

    private static Tensor tensor(Checkpoint c, String name, long... shape) throws IOException {
        Tensor t = c.tensor(name);
        if (t.dtype() != DType.F32 || !Arrays.equals(t.shape(), shape)) {
            throw new IOException(c.dir() + ": tensor '" + name + "' is " + t.dtype() + t.shapeString()
                    + ", expected F32" + Arrays.toString(shape));
        }
        return t;
    }

    private static Linear linear(Checkpoint c, String name, int out, int in) throws IOException {
        return new Linear(name, tensor(c, name + ".weight", out, in), tensor(c, name + ".bias", out));
    }

    private static LayerNorm layerNorm(Checkpoint c, String name, BertConfig config) throws IOException {
        int h = config.hiddenSize();
        return new LayerNorm(tensor(c, name + ".weight", h).toFloatArray(), tensor(c, name + ".bias", h).toFloatArray(),
                config.layerNormEps());
    }

    public BertConfig config() {
        return config;
    }

    /** Every linear layer, in execution order: the tensors a pruner may replace. */
    public List<Linear> linears() {
        List<Linear> all = new ArrayList<>();
        for (Layer l : layers) {
            all.addAll(l.linears());
        }
        return Collections.unmodifiableList(all);
    }

    /**
     * The linear layers grouped by encoder layer (six per layer, in execution order): the unit
     * that sequential calibration prunes before running the calibration text on to the next.
     */
    public List<List<Linear>> linearsByLayer() {
        List<List<Linear>> out = new ArrayList<>();
        for (Layer l : layers) {
            out.add(l.linears());
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The embeddings and the first {@code count} encoder layers only: calibrating encoder layer
     * {@code count - 1} needs no layer after it. Its output is that layer's hidden state.
     */
    public BertEncoder firstLayers(int count) {
        if (count < 1 || count > layers.size()) {
            throw new IllegalArgumentException("the encoder has " + layers.size() + " layers, asked for the first " + count);
        }
        return new BertEncoder(config, wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings, embeddingNorm,
                layers.subList(0, count));
    }

    /** The linear layers by name, in execution order. */
    public Map<String, Linear> linearsByName() {
        Map<String, Linear> m = new LinkedHashMap<>();
        for (Linear l : linears()) {
            m.put(l.name(), l);
        }
        return m;
    }

    /**
     * This encoder with some linear weights replaced: {@code weights} maps a linear layer's name
     * ({@code encoder.layer.0.attention.self.query}) to its new F32 weight of the same shape.
     */
    public BertEncoder withLinearWeights(Map<String, Tensor> weights) {
        Set<String> used = new HashSet<>();
        List<Layer> replaced = new ArrayList<>();
        for (Layer l : layers) {
            replaced.add(l.replace(weights, used));
        }
        if (used.size() != weights.size()) {
            Set<String> unknown = new java.util.TreeSet<>(weights.keySet());
            unknown.removeAll(used);
            throw new IllegalArgumentException("no linear layer named " + unknown + "; layers are named like '"
                    + layers.getFirst().query().name() + "'");
        }
        return new BertEncoder(config, wordEmbeddings, positionEmbeddings, tokenTypeEmbeddings, embeddingNorm,
                List.copyOf(replaced));
    }

    /**
     * The last hidden state of each sentence.
     *
     * @param ids      token ids per sentence ([CLS] ... [SEP]), each at most {@code maxPositions} long
     * @param observer sees the input of every linear layer
     * @return {@code [total tokens, hidden]}, sentences one after the other
     */
    public HiddenStates forward(CpuEngine engine, int[][] ids, LinearInputObserver observer) {
        HiddenStates hidden = embed(ids);
        for (int l = 0; l < layers.size(); l++) {
            applyLayer(engine, l, hidden, observer);
        }
        return hidden;
    }

    /**
     * The hidden states before the first encoder layer: the LayerNorm-ed embeddings of each
     * sentence, packed as {@link #forward} packs them. With {@link #applyLayer} the building
     * blocks of layer-by-layer calibration.
     */
    public HiddenStates embed(int[][] ids) {
        int[] offsets = new int[ids.length + 1];
        for (int s = 0; s < ids.length; s++) {
            if (ids[s].length == 0 || ids[s].length > config.maxPositions()) {
                throw new IllegalArgumentException("sentence " + s + " has " + ids[s].length
                        + " tokens; the model takes 1 to " + config.maxPositions());
            }
            offsets[s + 1] = offsets[s] + ids[s].length;
        }
        int tokens = offsets[ids.length];
        return new HiddenStates(embed(ids, offsets, tokens), offsets, config.hiddenSize());
    }

    /** Encoder layer {@code index} on {@code hidden}, in place; {@code observer} sees its linear layers' inputs. */
    public void applyLayer(CpuEngine engine, int index, HiddenStates hidden, LinearInputObserver observer) {
        if (hidden.hidden() != config.hiddenSize()) {
            throw new IllegalArgumentException("hidden states of width " + hidden.hidden() + " for an encoder of "
                    + config.hiddenSize());
        }
        int tokens = hidden.offsets()[hidden.sentences()];
        Buffers b = new Buffers(tokens, config.hiddenSize(), config.intermediateSize());
        layer(engine, layers.get(index), hidden.states(), hidden.offsets(), tokens, b, observer);
    }

    /** How many encoder layers there are. */
    public int layerCount() {
        return layers.size();
    }

    private float[] embed(int[][] ids, int[] offsets, int tokens) {
        int h = config.hiddenSize();
        float[] x = new float[tokens * h];
        for (int s = 0; s < ids.length; s++) {
            for (int p = 0; p < ids[s].length; p++) {
                int id = ids[s][p];
                if (id < 0 || id >= config.vocabSize()) {
                    throw new IllegalArgumentException("sentence " + s + ": token id " + id + " is outside the vocabulary of "
                            + config.vocabSize());
                }
                int off = (offsets[s] + p) * h;
                long w = (long) id * h;
                long pos = (long) p * h;
                for (int i = 0; i < h; i++) {
                    // Summed in the order BertEmbeddings does: (word + token type) + position.
                    x[off + i] = (wordEmbeddings.getFloat(w + i) + tokenTypeEmbeddings.getFloat(i))
                            + positionEmbeddings.getFloat(pos + i);
                }
            }
        }
        embeddingNorm.apply(x, tokens, h);
        return x;
    }

    /** Scratch arrays for one forward pass, reused across layers. */
    private static final class Buffers {
        final float[] q, k, v, context, projected, intermediate;

        Buffers(int tokens, int hidden, int inter) {
            q = new float[tokens * hidden];
            k = new float[tokens * hidden];
            v = new float[tokens * hidden];
            context = new float[tokens * hidden];
            projected = new float[tokens * hidden];
            intermediate = new float[tokens * inter];
        }
    }

    private void layer(CpuEngine engine, Layer layer, float[] hidden, int[] offsets, int tokens, Buffers b,
                       LinearInputObserver observer) {
        int h = config.hiddenSize();
        apply(engine, layer.query(), hidden, tokens, b.q, observer);
        apply(engine, layer.key(), hidden, tokens, b.k, observer);
        apply(engine, layer.value(), hidden, tokens, b.v, observer);
        attention(engine, b.q, b.k, b.v, offsets, b.context);
        apply(engine, layer.attentionOutput(), b.context, tokens, b.projected, observer);
        for (int i = 0; i < tokens * h; i++) {
            hidden[i] = b.projected[i] + hidden[i];
        }
        layer.attentionNorm().apply(hidden, tokens, h);
        apply(engine, layer.intermediate(), hidden, tokens, b.intermediate, observer);
        int inter = config.intermediateSize();
        engine.parallelFor(tokens, t -> {
            for (int i = t * inter, end = i + inter; i < end; i++) {
                b.intermediate[i] = Erf.gelu(b.intermediate[i]);
            }
        });
        apply(engine, layer.output(), b.intermediate, tokens, b.projected, observer);
        for (int i = 0; i < tokens * h; i++) {
            hidden[i] = b.projected[i] + hidden[i];
        }
        layer.outputNorm().apply(hidden, tokens, h);
    }

    private static void apply(CpuEngine engine, Linear linear, float[] x, int tokens, float[] y,
                              LinearInputObserver observer) {
        if (observer != LinearInputObserver.NONE) {
            int in = linear.inFeatures();
            MemorySegment view = MemorySegment.ofArray(x).asSlice(0, (long) tokens * in * Float.BYTES);
            observer.observe(linear.name(), new Tensor(linear.name() + ".input", DType.F32, new long[] {tokens, in}, view));
        }
        linear.forward(engine, x, tokens, y);
    }

    /** Softmax(Q K^T / sqrt(d)) V per sentence and head; heads are column blocks of Q, K, V and the context. */
    private void attention(CpuEngine engine, float[] q, float[] k, float[] v, int[] offsets, float[] context) {
        int heads = config.heads();
        int d = config.headSize();
        int h = config.hiddenSize();
        int sentences = offsets.length - 1;
        float scale = (float) (1.0 / Math.sqrt(d));
        engine.parallelFor(sentences * heads, task -> {
            int s = task / heads;
            int head = task % heads;
            int first = offsets[s];
            int len = offsets[s + 1] - first;
            int col = head * d;
            float[] scores = new float[len];
            for (int i = 0; i < len; i++) {
                int qi = (first + i) * h + col;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < len; j++) {
                    int kj = (first + j) * h + col;
                    float dot = 0;
                    for (int c = 0; c < d; c++) {
                        dot += q[qi + c] * k[kj + c];
                    }
                    scores[j] = dot * scale;
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < len; j++) {
                    scores[j] = (float) Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                float inv = (float) (1.0 / sum);
                int ci = (first + i) * h + col;
                Arrays.fill(context, ci, ci + d, 0f);
                for (int j = 0; j < len; j++) {
                    float p = scores[j] * inv;
                    int vj = (first + j) * h + col;
                    for (int c = 0; c < d; c++) {
                        context[ci + c] += p * v[vj + c];
                    }
                }
            }
        });
    }
}
