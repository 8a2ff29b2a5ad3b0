package dev.prune4j.cli;

import dev.prune4j.model.llama.GgufToHuggingFace;
import dev.prune4j.tensor.DType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convert}: a llama.cpp GGUF of a LLaMA-architecture model to a Hugging Face folder. */
@Command(name = "convert", sortOptions = false,
        description = "Convert a LLaMA-architecture GGUF into a Hugging Face model folder.",
        footer = {"",
            "Writes DIR/model.safetensors (every tensor dequantised: F32, F16 and BF16, Q8_0, Q4_0, Q4_1;",
            "stored as --dtype), config.json, tokenizer.json, tokenizer_config.json and generation_config.json,",
            "with Hugging Face's tensor names and llama.cpp's query/key row permutation undone, so that",
            "transformers loads it as LlamaForCausalLM and ./prune4j eval --model smollm2 --model-dir reads it.",
            "The folder is built beside DIR and moved into place when complete; an existing non-empty DIR is",
            "refused."})
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE.gguf", description = "the GGUF file")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "the folder to write")
    Path output;

    @Option(names = "--dtype", paramLabel = "f16|bf16|f32", defaultValue = "f16", converter = Options.DTypeName.class,
            description = "how the weights are stored (default f16)")
    DType dtype;

    @Option(names = "--remove-stale", description = "delete what an earlier run into the same output left when it was killed (.NAME.*.tmp)")
    boolean removeStale;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Override
    public Integer call() throws Exception {
        if (!dtype.prunable()) {
            throw new UsageException("--dtype: weights are written as f16, bf16 or f32, not "
                    + dtype.name().toLowerCase(Locale.ROOT));
        }
        Main.requireFile(input, "--input");
        // Refused before minutes of conversion, not after.
        Outputs.folder(output, removeStale);
        long start = System.nanoTime();
        GgufToHuggingFace.convert(input, output, dtype);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "wrote %s (%s weights) in %.1f s%n", output, dtype.name().toLowerCase(Locale.ROOT),
                (System.nanoTime() - start) / 1e9);
        out.flush();
        return 0;
    }
}
