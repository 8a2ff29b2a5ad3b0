package dev.prune4j.cli;

import dev.prune4j.engine.CpuEngine;
import dev.prune4j.safetensors.OutputFolder;
import dev.prune4j.synth.LlamaShape;
import dev.prune4j.synth.SyntheticCalibration;
import dev.prune4j.synth.SyntheticCheckpointWriter;
import dev.prune4j.synth.SyntheticLlama;
import dev.prune4j.tensor.DType;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code synth}: writes a synthetic LLaMA-shaped checkpoint. */
final class SynthCommand implements Command {
    @Override
    public String name() {
        return "synth";
    }

    @Override
    public String summary() {
        return "write a synthetic LLaMA-shaped safetensors checkpoint";
    }

    @Override
    public String usage() {
        return """
                usage: ./prune4j synth --model llama-7b|llama-13b|llama-70b|tiny --output DIR
                                       [--layers N] [--dtype f16|bf16|f32] [--seed S] [--shard-size BYTES]
                                       [--calibration-tokens N]

                Writes Hugging Face LLaMA tensor names (model.layers.N.self_attn.q_proj.weight, ...,
                model.embed_tokens.weight, lm_head.weight, norms) and config.json, with heavy-tailed
                weights. --layers defaults to the model's own count (tiny: 2, about 4 MB in f16).
                --dtype defaults to f16. Shards of --shard-size bytes (default 5000000000) with
                model.safetensors.index.json when the weights are larger. DIR must not exist or be empty.
                --calibration-tokens N also writes calibration/calibration.safetensors: N input rows per
                linear layer (NAME.inputs), with a few outlier channels as real LLM activations have,
                for ./prune4j prune --method wanda|sparsegpt --calibration DIR/calibration/calibration.safetensors
                """;
    }

    @Override
    public void run(List<String> argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, Set.of("model", "layers", "dtype", "output", "seed", "shard-size",
                "calibration-tokens"), Set.of());
        LlamaShape shape;
        DType dtype;
        try {
            shape = LlamaShape.named(args.require("model"));
            if (args.has("layers")) {
                shape = shape.withLayers(args.intValue("layers", shape.numLayers()));
            }
            dtype = DType.parse(args.get("dtype", "f16"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (args.has("calibration-tokens") && args.intValue("calibration-tokens", 0) < 1) {
            throw new UsageException("--calibration-tokens must be >= 1");
        }
        long shardBytes = (long) args.doubleValue("shard-size", SyntheticCheckpointWriter.DEFAULT_SHARD_BYTES);
        if (shardBytes < 1) {
            throw new UsageException("--shard-size must be positive");
        }
        Path output = args.path("output");
        SyntheticLlama model = new SyntheticLlama(shape, dtype, args.intValue("seed", 0));
        long bytes = model.tensors().stream().mapToLong(t -> t.byteSize()).sum();
        try (CpuEngine engine = new CpuEngine();
             Progress progress = new Progress("synth", bytes);
             OutputFolder folder = OutputFolder.create(output)) {
            SyntheticCheckpointWriter.write(model, folder.path(), shardBytes, engine, progress::advance);
            if (args.has("calibration-tokens")) {
                Path file = folder.path().resolve(SyntheticCalibration.FILE);
                java.nio.file.Files.createDirectories(file.getParent());
                new SyntheticCalibration(model, args.intValue("calibration-tokens", 0)).write(file, engine);
            }
            folder.commit();
        }
        out.printf("wrote %s: %s, %d layers, %s, %.1f MB%n", output, shape.name(), shape.numLayers(), dtype, bytes / 1e6);
    }
}
