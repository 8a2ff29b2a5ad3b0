package dev.prune4j.model.llama;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.model.text.TextSplit;
import dev.prune4j.model.text.WikipediaCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The Java side of the dense-perplexity timing that {@code benchmarks/python/smollm2_reference.py}
 * measures for PyTorch: SmolLM2 from a converted folder (or converted here first), the Wikipedia
 * evaluation text, the first N windows of C tokens, T threads. Prints one JSON line.
 *
 * <pre>
 * java ... dev.prune4j.model.llama.PerplexityBenchmark MODEL_DIR [windows=128] [context=512] [threads=2]
 * </pre>
 * A MODEL_DIR that does not exist yet is converted from the installed GGUF first. The time covers
 * the forward passes and the scoring (not loading, not tokenising), split into the linear layers'
 * share and the rest.
 */
public final class PerplexityBenchmark {
    private PerplexityBenchmark() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: PerplexityBenchmark MODEL_DIR [windows] [context] [threads]");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        int windows = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int context = args.length > 2 ? Integer.parseInt(args[2]) : 512;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        if (!Files.isDirectory(dir)) {
            GgufToHuggingFace.convert(SmolLm2.locateGguf().orThrow(), dir);
        }
        LlamaModel model = LlamaModel.load(dir);
        BpeTokenizer tokenizer = BpeTokenizer.fromTokenizerJson(dir.resolve("tokenizer.json"));
        TextSplit split = WikipediaCorpus.split(WikipediaCorpus.read(WikipediaCorpus.locate().orThrow()));
        int[][] w = TokenWindows.first(tokenizer, split.evaluationText(), windows, context);
        try (CpuEngine engine = new CpuEngine(threads)) {
            // One window first, so the timing is of compiled code.
            Perplexity.evaluate(model, engine, new int[][] {w[0]});
            // CPU time as well as wall time: on a shared machine the wall clock also counts others' work.
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean();
            long cpu = os.getProcessCpuTime();
            long start = System.nanoTime();
            Perplexity.Result r = Perplexity.evaluate(model, engine, w);
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
            System.out.println(String.format(Locale.ROOT,
                    "{\"impl\": \"prune4j\", \"windows\": %d, \"context\": %d, \"threads\": %d, \"seconds\": %.2f, "
                            + "\"cpu_seconds\": %.2f, \"perplexity\": %.6f, \"mean_nll\": %.8f}",
                    windows, context, threads, seconds, cpuSeconds, r.perplexity(), r.meanNll()));
        }
    }
}
