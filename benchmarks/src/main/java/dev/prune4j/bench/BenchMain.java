package dev.prune4j.bench;

import dev.prune4j.bench.shapes.BenchShapes;
import dev.prune4j.bench.report.BenchResults;
import dev.prune4j.bench.report.GemmResult;
import dev.prune4j.bench.report.GemmTable;
import dev.prune4j.bench.report.JsonLines;
import dev.prune4j.bench.timing.PairedTimer;
import dev.prune4j.tensor.DType;
import java.util.concurrent.TimeUnit;
import dev.prune4j.bench.report.MachineInfo;
import dev.prune4j.bench.report.ReportWriter;
import dev.prune4j.bench.report.ResultReader;
import dev.prune4j.cuda.CudaEngine;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineUnavailableException;
import dev.prune4j.engine.Engines;
import dev.prune4j.bench.report.JsonFormat;
import dev.prune4j.io.AtomicFiles;
import dev.prune4j.sparse.LinearKernels;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.results.format.ResultFormatType;

/**
 * {@code ./prune4j bench} and {@code ./prune4j report}: runs the JMH suite through JMH's Runner API and
 * writes JMH's JSON, {@code machine.json}, {@code report.md} and the plots; or turns existing result
 * files into one report. Exit status: 0 done, 1 failed, 2 bad arguments (as the main CLI).
 */
public final class BenchMain {
    static final String JMH_JSON = "jmh-results.json";
    static final String MACHINE_JSON = "machine.json";
    static final String JMH_LINES = "jmh.jsonl";
    static final String LINEAR_LINES = "linear.jsonl";

    private static final String USAGE = """
            usage: ./prune4j bench  [--engine cpu|cuda|auto] [--quick] [--include REGEX] [--shapes A,B]
                                    [--tokens 1,16] [--dtypes F16,BF16] [--jsonl FILE] [--dry-run] --output DIR
                   ./prune4j report --input FILE|DIR [--input ...] [--brief] --output DIR

            bench   runs the suite: the LinearBench entries (dense vs 2:4 SparseLinear.forward on the ARCHITECTURE.md
                    shapes) paired and cache-honest (alternating, rotating copies beyond the last-level cache,
                    warm-up, medians, the byte limit from a bandwidth measured in the run) into linear.jsonl;
                    the others through JMH (MaskBench; GlobalMagnitudeBench; WandaBench/SparseGptBench when
                    present), each trial appended to jmh.jsonl as it ends; then jmh-results.json, machine.json,
                    report.md and speedup-*.png into DIR.
                    --engine   cpu (default), cuda, or auto (cuda when usable, else cpu)
                    --quick    the short profile (CPU: decode token counts only, a few minutes on 2 cores)
                    --include  regular expression on Class.method (e.g. 'LinearBench' or 'MaskBench.nm24')
                    --shapes/--tokens/--dtypes  override the profile's LinearBench parameters
                    --jsonl    where the JMH lines go (default DIR/jmh.jsonl)
                    --dry-run  the smoke profile on the CPU engine (seconds): the plumbing, not a measurement
            report  reads JMH JSON, machine.json, the PyTorch script's JSON and JSON-lines files (files, or
                    folders of .json/.jsonl files) and writes report.md and the plots into DIR; --brief also
                    prints one line per paired case.
            """;

    private BenchMain() {}

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
            out.print(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        List<String> rest = Arrays.asList(argv).subList(1, argv.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        try {
            switch (argv[0]) {
                case "bench" -> bench(Options.parse(rest, true), out);
                case "report" -> report(Options.parse(rest, false), out);
                default -> throw new IllegalArgumentException("unknown command '" + argv[0] + "' (bench or report)");
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("prune4j " + argv[0] + ": " + e.getMessage() + " (see ./prune4j " + argv[0] + " --help)");
            return 2;
        } catch (IOException | RunnerException | RuntimeException e) {
            err.println("prune4j " + argv[0] + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        }
    }

    private static void report(Options o, PrintStream out) throws IOException {
        if (o.inputs.isEmpty()) {
            throw new IllegalArgumentException("--input is required");
        }
        BenchResults results = ResultReader.read(o.inputs);
        if (results.isEmpty()) {
            throw new IOException("no benchmark results in " + o.inputs);
        }
        for (Path p : ReportWriter.write(results, List.of(), o.output)) {
            out.println("wrote " + p);
        }
        if (o.brief) {
            GemmTable.brief(results).forEach(out::println);
        }
    }

    private static void bench(Options o, PrintStream out) throws IOException, RunnerException {
        String engine = o.dryRun ? "cpu" : chooseEngine(o.engine);
        Files.createDirectories(o.output);
        Map<String, Object> machine = MachineInfo.collect();
        machine.put("engine", engine);
        machine.put("engine_description", describeEngine(engine, machine));
        machine.put("profile", o.dryRun ? "dry run: the smoke profile on the CPU engine, nothing measured for real"
                : BenchSuite.describe(engine, o.quick));
        machine.put("started", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());

        List<String> notes = new ArrayList<>();
        if (o.include != null) {
            notes.add("only benchmarks matching `" + o.include.pattern() + "`");
        }
        String noLinear = linearKernelsMissing(engine);
        if (noLinear != null) {
            notes.add("LinearBench left out: " + noLinear);
        }
        List<BenchRun> runs = planRuns(o, engine, noLinear != null);
        if (o.include != null && runs.stream().allMatch(r -> r.options(o.include) == null)) {
            throw new IllegalArgumentException("--include '" + o.include.pattern() + "' matches no benchmark of the suite");
        }
        JsonLines jmhLines = new JsonLines(o.jsonl != null ? o.jsonl : o.output.resolve(JMH_LINES), JmhLines.FORMAT);
        Map<String, Object> header = jmhLines.line("header");
        header.put("machine", machine);
        header.put("runs", runs.stream().map(BenchRun::toString).toList());
        header.put("dry_run", o.dryRun);
        jmhLines.write(header);

        List<BenchRun> linear = runs.stream().filter(r -> r.benchClass() == LinearBench.class
                && r.options(o.include) != null).toList();
        List<BenchRun> jmhRuns = runs.stream().filter(r -> r.benchClass() != LinearBench.class).toList();
        Path linearJsonl = o.output.resolve(LINEAR_LINES);
        if (!linear.isEmpty()) {
            runLinearPairs(linear, engine, o.dryRun, new JsonLines(linearJsonl, GemmResult.FORMAT), machine, out);
        }
        List<Path> parts = List.of();
        if (jmhRuns.stream().anyMatch(r -> r.options(o.include) != null)) {
            waitForJmhLock(out);
            parts = runAll(jmhRuns, o.include, o.output, out, jmhLines);
        }
        BenchWeights.release();
        machine.put("finished", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        machine.put("load_after", MachineInfo.loadAverage());
        machine.put("notes", notes);
        Map<String, Object> end = jmhLines.line("end");
        end.put("finished", machine.get("finished"));
        jmhLines.write(end);

        Path jmh = o.output.resolve(JMH_JSON);
        mergeJson(parts, jmh);
        Path machineJson = o.output.resolve(MACHINE_JSON);
        AtomicFiles.writeString(machineJson, JsonFormat.writePretty(machine));
        List<Path> inputs = new ArrayList<>(List.of(jmh, machineJson));
        if (Files.exists(linearJsonl)) {
            inputs.add(linearJsonl);
        }
        BenchResults results = ResultReader.read(inputs);
        out.println("wrote " + jmh);
        out.println("wrote " + machineJson);
        for (Path p : ReportWriter.write(results, List.of(), o.output)) {
            out.println("wrote " + p);
        }
    }

    /** The profile's runs with the command line's overrides (the smoke runs, in one JVM, for a dry run). */
    private static List<BenchRun> planRuns(Options o, String engine, boolean noLinear) {
        List<BenchRun> profile = o.dryRun ? BenchSuite.smoke().stream().map(r -> new BenchRun(r.name(), r.benchClass(),
                r.params(), r.warmups(), r.warmupTime(), r.iterations(), r.time(), 0)).toList()
                : BenchSuite.profile(engine, o.quick);
        List<BenchRun> runs = new ArrayList<>();
        boolean overridden = o.shapes != null || o.tokens != null || o.dtypes != null;
        boolean linearSeen = false;
        for (BenchRun r : profile) {
            if (noLinear && r.benchClass() == LinearBench.class) {
                continue;
            }
            if (overridden && r.benchClass() == LinearBench.class) {
                // One LinearBench run with the given values (the first run's for the others), not one per profile run.
                if (linearSeen) {
                    continue;
                }
                linearSeen = true;
            }
            if (o.shapes != null) {
                r = r.with("shape", o.shapes);
            }
            if (o.tokens != null) {
                r = r.with("tokens", o.tokens);
            }
            if (o.dtypes != null) {
                r = r.with("dtype", o.dtypes);
            }
            runs.add(r);
        }
        return runs;
    }

    /**
     * The LinearBench runs through {@link LinearPairsBench}: every shape, dtype and token count of each
     * run, warmed up for at least a second (none in a dry run) and measured for the run's iteration time.
     */
    private static void runLinearPairs(List<BenchRun> runs, String engineName, boolean dryRun, JsonLines lines,
                                       Map<String, Object> machine, PrintStream out) {
        try (Engine engine = BenchEngines.create(engineName)) {
            Map<String, Object> header = lines.line("header");
            header.put("benchmark", "LinearPairsBench");
            header.put("machine", machine);
            header.put("method", "dense and 2:4 SparseLinear alternating in one loop on rotating copies of W, X and Y "
                    + "beyond twice the last-level cache; warm-up; every call timed alone; medians");
            header.put("dry_run", dryRun);
            lines.write(header);
            LinearPairsBench bench = new LinearPairsBench(engine, lines, out);
            bench.device();
            int cases = 0;
            for (BenchRun r : runs) {
                long warmupMs = Math.max(dryRun ? 0 : 1000, r.warmups() * r.warmupTime().convertTo(TimeUnit.MILLISECONDS));
                long measureMs = r.iterations() * r.time().convertTo(TimeUnit.MILLISECONDS);
                PairedTimer.Settings settings = new PairedTimer.Settings(warmupMs, measureMs, dryRun ? 1 : 5, 10_000);
                for (String dtype : r.params().get("dtype")) {
                    for (String shape : r.params().get("shape")) {
                        for (String tokens : r.params().get("tokens")) {
                            bench.measure(shape, DType.valueOf(dtype), Integer.parseInt(tokens), settings);
                            cases++;
                        }
                    }
                }
            }
            BenchWeights.release();
            Map<String, Object> end = lines.line("end");
            end.put("cases", cases);
            end.put("finished", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            lines.write(end);
        }
    }

    /** Runs each run that {@code include} selects; returns the partial JSON files written. */
    static List<Path> runAll(List<BenchRun> runs, Pattern include, Path dir, PrintStream out)
            throws IOException, RunnerException {
        return runAll(runs, include, dir, out, null);
    }

    /** As above, appending each finished trial to {@code lines} when it is not null. */
    static List<Path> runAll(List<BenchRun> runs, Pattern include, Path dir, PrintStream out, JsonLines lines)
            throws IOException, RunnerException {
        List<Path> parts = new ArrayList<>();
        boolean any = false;
        for (BenchRun r : runs) {
            ChainedOptionsBuilder options = r.options(include);
            if (options == null) {
                continue;
            }
            any = true;
            Path part = dir.resolve(".jmh-" + r.name() + ".json");
            out.println("prune4j bench: " + r);
            var built = options.resultFormat(ResultFormatType.JSON).result(part.toString()).build();
            (lines == null ? new Runner(built) : new Runner(built, new JmhLines(out, lines))).run();
            parts.add(part);
        }
        if (!any) {
            throw new IllegalArgumentException("--include '" + include.pattern() + "' matches no benchmark of the suite");
        }
        return parts;
    }

    /**
     * JMH allows one run per machine (a lock file in the temporary folder) and refuses to start while
     * another holds it. On a shared machine, wait for it (up to {@code PRUNE4J_BENCH_LOCK_WAIT_S},
     * default 1800 s) instead of failing; the report's load average shows what else ran.
     */
    static void waitForJmhLock(PrintStream out) throws IOException {
        if (Boolean.getBoolean("jmh.ignoreLock")) {
            return;
        }
        Path lock = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
        long waitS = Long.parseLong(System.getenv().getOrDefault("PRUNE4J_BENCH_LOCK_WAIT_S", "1800"));
        long deadline = System.nanoTime() + waitS * 1_000_000_000L;
        boolean told = false;
        while (true) {
            try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock l = ch.tryLock()) {
                if (l != null) {
                    return;
                }
            } catch (OverlappingFileLockException e) {
                return; // held by this JVM: JMH will say so
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("another JMH run holds " + lock + " since over " + waitS + " s; try again later"
                        + " (or set -Djmh.ignoreLock=true in PRUNE4J_JAVA_OPTS to run beside it)");
            }
            if (!told) {
                out.println("prune4j bench: another JMH run holds " + lock + "; waiting for it to finish...");
                told = true;
            }
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + lock, e);
            }
        }
    }

    /** Concatenates the JMH JSON arrays of {@code parts} into {@code target} and deletes the parts. */
    static void mergeJson(List<Path> parts, Path target) throws IOException {
        List<Object> all = new ArrayList<>();
        for (Path p : parts) {
            if (Files.exists(p)) {
                String text = Files.readString(p).trim();
                if (!text.isEmpty()) {
                    all.addAll((List<?>) JsonFormat.parse(text));
                }
            }
        }
        AtomicFiles.writeString(target, JsonFormat.writePretty(all));
        for (Path p : parts) {
            Files.deleteIfExists(p);
        }
    }

    private static String chooseEngine(String asked) {
        String kind = Engines.checkName(asked);
        if (kind.equals("cpu")) {
            return "cpu";
        }
        StringBuilder why = new StringBuilder();
        if (BenchEngines.usable("cuda", why)) {
            return "cuda";
        }
        if (kind.equals("cuda")) {
            throw new EngineUnavailableException("--engine cuda: CUDA is not usable here: " + why);
        }
        System.err.println("prune4j bench: engine auto: using the CPU engine, CUDA is not usable: " + why);
        return "cpu";
    }

    /** Why {@code engine} cannot run LinearBench (it offers no linear-layer kernels yet), or null. */
    private static String linearKernelsMissing(String engine) {
        try (Engine e = BenchEngines.create(engine)) {
            e.linearKernels();
            return null;
        } catch (UnsupportedOperationException ex) {
            return ex.getMessage();
        }
    }

    private static String describeEngine(String engine, Map<String, Object> machine) {
        try (Engine e = BenchEngines.create(engine)) {
            if (e instanceof CudaEngine cuda) {
                machine.put("gpu", cuda.context().deviceName() + " (" + cuda.context().capability() + ")");
            }
            return e.description();
        }
    }

    /** Parsed arguments of both commands. */
    static final class Options {
        String engine = "cpu";
        boolean quick;
        boolean dryRun;
        boolean brief;
        Path jsonl;
        Pattern include;
        Path output;
        List<Path> inputs = new ArrayList<>();
        List<String> shapes;
        List<String> tokens;
        List<String> dtypes;

        static Options parse(List<String> args, boolean bench) {
            Options o = new Options();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (bench && a.equals("--quick")) {
                    o.quick = true;
                    continue;
                }
                if (bench && a.equals("--dry-run")) {
                    o.dryRun = true;
                    continue;
                }
                if (!bench && a.equals("--brief")) {
                    o.brief = true;
                    continue;
                }
                if (!a.startsWith("--") || i + 1 >= args.size()) {
                    throw new IllegalArgumentException(a.startsWith("--") ? a + " needs a value"
                            : "unexpected argument '" + a + "'");
                }
                String v = args.get(++i);
                switch (bench ? a : "report:" + a) {
                    case "--engine" -> o.engine = v;
                    case "--include" -> o.include = regex(v);
                    case "--output", "report:--output" -> o.output = Path.of(v);
                    case "--shapes" -> o.shapes = shapes(v);
                    case "--tokens" -> o.tokens = tokens(v);
                    case "--dtypes" -> o.dtypes = dtypes(v);
                    case "--jsonl" -> o.jsonl = Path.of(v);
                    case "report:--input" -> o.inputs.add(Path.of(v));
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (o.output == null) {
                throw new IllegalArgumentException("--output is required");
            }
            return o;
        }

        private static Pattern regex(String v) {
            try {
                return Pattern.compile(v);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("--include is not a valid regular expression: " + e.getDescription());
            }
        }

        private static List<String> shapes(String v) {
            List<String> out = List.of(v.split(","));
            out.forEach(BenchShapes::parse);
            return out;
        }

        private static List<String> tokens(String v) {
            List<String> out = List.of(v.split(","));
            for (String t : out) {
                try {
                    if (Integer.parseInt(t.trim()) <= 0) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--tokens needs positive integers, got '" + t + "'");
                }
            }
            return out.stream().map(String::trim).toList();
        }

        private static List<String> dtypes(String v) {
            List<String> out = List.of(v.toUpperCase(java.util.Locale.ROOT).split(","));
            for (String d : out) {
                if (!d.equals("F16") && !d.equals("BF16") && !d.equals("F32")) {
                    throw new IllegalArgumentException("--dtypes takes F16, BF16 or F32, got '" + d + "'");
                }
            }
            return out;
        }
    }
}
