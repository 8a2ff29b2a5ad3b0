package dev.prune4j.owl;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The decoder (or encoder) layer a tensor belongs to, from its name: the part up to a numbered
 * block, {@code model.layers.N.} (LLaMA, Mistral, Qwen, SmolLM), {@code model.decoder.layers.N.}
 * (OPT), {@code encoder.layer.N.} (BERT), {@code transformer.h.N.} (GPT-2), {@code ...block.N.} /
 * {@code ...blocks.N.} (T5 and others). Tensors outside any numbered block (embeddings,
 * {@code lm_head}, a final norm) belong to no layer.
 */
public final class DecoderLayers {
    private static final Pattern BLOCK = Pattern.compile("^(.*?(?:^|\\.)(?:layers|layer|h|blocks|block))\\.(\\d+)\\.");

    /** Tensor names grouped by layer, layers in stack order, and the names outside any layer. */
    public record Grouping(List<String> layers, List<List<String>> tensorsByLayer, List<String> outside) {}

    private DecoderLayers() {}

    /** The layer of {@code tensorName}, such as {@code model.layers.3}; empty outside any numbered block. */
    public static Optional<String> layerOf(String tensorName) {
        Matcher m = BLOCK.matcher(tensorName);
        return m.find() ? Optional.of(m.group(1) + "." + Long.parseLong(m.group(2))) : Optional.empty();
    }

    /**
     * Groups {@code names} by layer: stacks in name order, layers by their number within a stack,
     * tensors in the order given.
     */
    public static Grouping group(List<String> names) {
        record Key(String stack, long index) {}
        Map<Key, List<String>> byLayer = new TreeMap<>(Comparator.comparing(Key::stack).thenComparingLong(Key::index));
        List<String> outside = new ArrayList<>();
        for (String name : names) {
            Matcher m = BLOCK.matcher(name);
            if (m.find()) {
                byLayer.computeIfAbsent(new Key(m.group(1), Long.parseLong(m.group(2))), k -> new ArrayList<>()).add(name);
            } else {
                outside.add(name);
            }
        }
        Map<String, List<String>> ordered = new LinkedHashMap<>();
        byLayer.forEach((k, v) -> ordered.put(k.stack() + "." + k.index(), List.copyOf(v)));
        return new Grouping(List.copyOf(ordered.keySet()), List.copyOf(ordered.values()), List.copyOf(outside));
    }
}
