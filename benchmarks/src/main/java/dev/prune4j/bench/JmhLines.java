package dev.prune4j.bench;

import dev.prune4j.bench.report.JsonFormat;
import dev.prune4j.bench.report.JsonLines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * JMH's console output, plus one {@code jmh} JSON line per trial the moment the trial ends (JMH's
 * own JSON for that result, under {@code result}), so a suite stopped by a timeout keeps every trial
 * it finished; JMH itself writes its result file only at the end of a run.
 */
final class JmhLines implements OutputFormat {
    static final String FORMAT = "prune4j-jmh/1";

    private final OutputFormat console;
    private final JsonLines out;

    JmhLines(PrintStream console, JsonLines out) {
        this.console = OutputFormatFactory.createFormatInstance(console, VerboseMode.NORMAL);
        this.out = out;
    }

    @Override
    public void endBenchmark(BenchmarkResult result) {
        console.endBenchmark(result);
        if (result == null) {
            return; // the trial failed; JMH's output says why
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
                ResultFormatFactory.getInstance(ResultFormatType.JSON, ps)
                        .writeOut(List.of(new RunResult(result.getParams(), List.of(result))));
            }
            for (Object o : (List<?>) JsonFormat.parse(bytes.toString(StandardCharsets.UTF_8))) {
                Map<String, Object> line = out.line("jmh");
                line.put("result", o);
                out.write(line);
            }
        } catch (IOException | RuntimeException e) {
            console.println("prune4j bench: could not append the result to " + out.file() + ": " + e);
        }
    }

    @Override
    public void iteration(BenchmarkParams b, IterationParams p, int i) {
        console.iteration(b, p, i);
    }

    @Override
    public void iterationResult(BenchmarkParams b, IterationParams p, int i, IterationResult r) {
        console.iterationResult(b, p, i, r);
    }

    @Override
    public void startBenchmark(BenchmarkParams b) {
        console.startBenchmark(b);
    }

    @Override
    public void startRun() {
        console.startRun();
    }

    @Override
    public void endRun(Collection<RunResult> results) {
        console.endRun(results);
    }

    @Override
    public void print(String s) {
        console.print(s);
    }

    @Override
    public void println(String s) {
        console.println(s);
    }

    @Override
    public void flush() {
        console.flush();
    }

    @Override
    public void close() {
        console.close();
    }

    @Override
    public void verbosePrintln(String s) {
        console.verbosePrintln(s);
    }

    @Override
    public void write(int b) {
        console.write(b);
    }

    @Override
    public void write(byte[] b) throws IOException {
        console.write(b);
    }
}
