package dev.prune4j.owl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DecoderLayersTest {
    @Test
    void layersOfTheCommonFamilies() {
        assertEquals(Optional.of("model.layers.3"), DecoderLayers.layerOf("model.layers.3.self_attn.q_proj.weight"));
        assertEquals(Optional.of("model.decoder.layers.0"), DecoderLayers.layerOf("model.decoder.layers.0.fc1.weight"));
        assertEquals(Optional.of("encoder.layer.5"), DecoderLayers.layerOf("encoder.layer.5.attention.self.query.weight"));
        assertEquals(Optional.of("transformer.h.11"), DecoderLayers.layerOf("transformer.h.11.mlp.c_fc.weight"));
        assertEquals(Optional.of("h.2"), DecoderLayers.layerOf("h.2.attn.c_attn.weight"));
        assertEquals(Optional.of("model.layers.1"), DecoderLayers.layerOf("model.layers.1.mlp.experts.7.w1.weight"),
                "the first numbered block is the layer");
        assertEquals(Optional.empty(), DecoderLayers.layerOf("lm_head.weight"));
        assertEquals(Optional.empty(), DecoderLayers.layerOf("model.embed_tokens.weight"));
        assertEquals(Optional.empty(), DecoderLayers.layerOf("graph.0.weight"), "not a layer stack's name");
    }

    @Test
    void groupsInStackOrderWithTheTensorsOutsideApart() {
        DecoderLayers.Grouping g = DecoderLayers.group(List.of("model.layers.10.mlp.up_proj.weight", "lm_head.weight",
                "model.layers.2.self_attn.q_proj.weight", "model.layers.2.mlp.up_proj.weight",
                "model.layers.10.self_attn.q_proj.weight"));
        assertEquals(List.of("model.layers.2", "model.layers.10"), g.layers());
        assertEquals(List.of(List.of("model.layers.2.self_attn.q_proj.weight", "model.layers.2.mlp.up_proj.weight"),
                List.of("model.layers.10.mlp.up_proj.weight", "model.layers.10.self_attn.q_proj.weight")),
                g.tensorsByLayer());
        assertEquals(List.of("lm_head.weight"), g.outside());
    }
}
