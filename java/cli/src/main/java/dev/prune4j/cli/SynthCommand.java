package dev.prune4j.cli;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.synth.LlamaShape;
import dev.prune4j.synth.SyntheticCheckpointWriter;
import dev.prune4j.synth.SyntheticLlama;
import dev.prune4j.tensor.DType;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code synth}: writes a synthetic LLaMA-shaped checkpoint. */
@Command(name = "synth", sortOptions = false,
        description = "Write a synthetic LLaMA-shaped safetensors checkpoint.",
        footer = {"",
            "Writes Hugging Face LLaMA tensor names (model.layers.N.self_attn.q_proj.weight, ...,",
            "model.embed_tokens.weight, lm_head.weight, norms) and config.json, with heavy-tailed weights",
            "(row-wise scales, rare outliers). Shards of --shard-size bytes with",
            "model.safetensors.index.json when the weights are larger. DIR must not exist or be empty."})
final class SynthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "llama-7b|llama-13b|llama-70b|tiny",
            description = "the shape (tiny: about 4 MB in f16 with its 2 layers)")
    String model;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "the new checkpoint folder")
    Path output;

    @Option(names = "--layers", paramLabel = "N", converter = Options.Whole.class,
            description = "decoder layers (default: the model's own count)")
    Integer layers;

    @Option(names = "--dtype", paramLabel = "f16|bf16|f32", defaultValue = "f16", converter = Options.DTypeName.class,
            description = "the weights' dtype (default f16)")
    DType dtype;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", converter = Options.Whole.class,
            description = "the random seed (default 0)")
    int seed;

    @Option(names = "--shard-size", paramLabel = "BYTES", converter = Options.WholeLong.class,
            description = "bytes per shard (default 5000000000)")
    Long shardSize;

    @Option(names = "--calibration-tokens", paramLabel = "N", converter = Options.Whole.class,
            description = "also write calibration/calibration.safetensors: N input rows per linear layer (NAME.inputs), with a few outlier channels as real LLM activations have, for ./prune4j prune --method wanda|sparsegpt --calibration DIR/calibration/calibration.safetensors")
    Integer calibrationTokens;

    @Option(names = "--remove-stale", description = "delete what an earlier run into the same output left when it was killed (.NAME.*.tmp)")
    boolean removeStale;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Override
    public Integer call() throws Exception {
        LlamaShape shape;
        try {
            shape = LlamaShape.named(model);
            if (layers != null) {
                shape = shape.withLayers(layers);
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (calibrationTokens != null && calibrationTokens < 1) {
            throw new UsageException("--calibration-tokens must be >= 1");
        }
        long shardBytes = shardSize != null ? shardSize : SyntheticCheckpointWriter.DEFAULT_SHARD_BYTES;
        if (shardBytes < 1) {
            throw new UsageException("--shard-size must be positive");
        }
        Outputs.folder(output, removeStale);
        SyntheticLlama synthetic = new SyntheticLlama(shape, dtype, seed);
        long bytes = synthetic.tensors().stream().mapToLong(t -> t.byteSize()).sum();
        try (CpuEngine engine = new CpuEngine(); Progress progress = new Progress("synth", bytes)) {
            SyntheticCheckpointWriter.writeFolder(synthetic, output, shardBytes,
                    calibrationTokens != null ? calibrationTokens : 0, engine, progress::advance);
        }
        spec.commandLine().getOut().printf("wrote %s: %s, %d layers, %s, %.1f MB%n", Messages.clean(output.toString()), shape.name(),
                shape.numLayers(), dtype, bytes / 1e6);
        return 0;
    }
}
