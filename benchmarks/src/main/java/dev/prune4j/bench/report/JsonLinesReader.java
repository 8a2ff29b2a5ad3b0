package dev.prune4j.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one JSON-lines results file ({@link JsonLines}). Every line names its {@code format}:
 * <ul>
 *   <li>{@value GemmResult#FORMAT}: {@code header}, {@code device}, {@code case} and {@code end} lines of
 *       GpuGemmBench and LinearPairsBench, each case a {@link GemmResult};</li>
 *   <li>{@value #TORCH_LINES}: the PyTorch script's {@code header} (its machine), {@code result} and
 *       {@code end} lines; results become {@link LinearResult}s of the torch implementations;</li>
 *   <li>{@value #JMH_LINES}: the suite runner's {@code header} (its machine) and one {@code jmh} line
 *       per finished JMH result, read as JMH's own JSON;</li>
 *   <li>{@value #TORCH_PRUNING_LINES}: {@code pruning_torch_bench.py}'s reference Wanda and SparseGPT,
 *       one {@code result} line per layer, shown as other results beside CalibrationBenchmark's.</li>
 * </ul>
 * The header, device and end lines of a file become one machine description for the report's top.
 * A file cut off by a timeout is read as far as it goes: a last line without its end is left out and
 * said so; any other line that does not parse is an error naming the file and line.
 */
final class JsonLinesReader {
    static final String TORCH_LINES = "prune4j-torch-linear/2";
    static final String JMH_LINES = "prune4j-jmh/1";
    static final String TORCH_PRUNING_LINES = "prune4j-torch-pruning/1";
    /** The PyTorch reference's timings, named after the CalibrationBenchmark methods they stand beside. */
    private static final Map<String, String> TORCH_PRUNING_STEPS = Map.of("hessian", "hessianAccumulation",
            "wanda", "wandaPerRow50", "sparsegpt", "sparseGpt50", "sparsegpt_with_hessian", "sparseGpt50WithHessian");

    private JsonLinesReader() {}

    static void read(Path file, BenchResults into) throws IOException {
        List<String> lines = Files.readAllLines(file);
        Map<String, Object> machine = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        List<Object> jmh = new ArrayList<>();
        int cases = 0;
        int torch = 0;
        boolean ended = false;
        String name = file.getFileName().toString();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).trim();
            if (text.isEmpty()) {
                continue;
            }
            Map<String, Object> line;
            try {
                line = ResultReader.stringKeys((Map<?, ?>) JsonFormat.parse(text));
            } catch (IOException | RuntimeException e) {
                if (i == lines.size() - 1) {
                    notes.add("the last line of " + name + " was cut off (the run was stopped while writing it)");
                    continue;
                }
                throw new IOException("result file " + file + " line " + (i + 1) + " is not a JSON object: "
                        + e.getMessage(), e);
            }
            String format = String.valueOf(line.get("format"));
            String kind = String.valueOf(line.get("kind"));
            try {
                switch (format) {
                    case GemmResult.FORMAT -> {
                        if (kind.equals("case")) {
                            into.gemm().add(gemm(line, name));
                            cases++;
                        } else {
                            describe(machine, notes, kind, line);
                        }
                    }
                    case TORCH_LINES -> {
                        if (kind.equals("result")) {
                            LinearResult r = torch(line, name);
                            if (r != null) {
                                into.linear().add(r);
                                torch++;
                            }
                        } else if (kind.equals("header") && line.get("machine") instanceof Map<?, ?> m) {
                            machine.putAll(ResultReader.stringKeys(m));
                            machine.putIfAbsent("engine", "torch");
                            if (line.get("method") != null) {
                                notes.add("method: " + line.get("method"));
                            }
                            if (machine.get("bandwidth_gbs") != null) { // --device cpu measures its own
                                notes.add("read bandwidth " + machine.get("bandwidth_gbs") + " GB/s ("
                                        + machine.getOrDefault("bandwidth_note", "") + ")");
                            }
                        } else {
                            if (kind.equals("end")) {
                                copy(line, machine, "load_after");
                            }
                            describe(machine, notes, kind, line);
                        }
                    }
                    case JMH_LINES -> {
                        if (kind.equals("jmh")) {
                            jmh.add(line.get("result"));
                        } else if (kind.equals("header") && line.get("machine") instanceof Map<?, ?> m) {
                            machine.putAll(ResultReader.stringKeys(m));
                        } else {
                            describe(machine, notes, kind, line);
                        }
                    }
                    case TORCH_PRUNING_LINES -> {
                        if (kind.equals("result")) {
                            torch += torchPruning(line, into);
                        } else {
                            describe(machine, notes, kind, line);
                        }
                    }
                    default -> throw new IOException("result file " + file + " line " + (i + 1) + " has format '"
                            + format + "', not " + GemmResult.FORMAT + ", " + TORCH_LINES + ", " + TORCH_PRUNING_LINES
                            + " or " + JMH_LINES);
                }
            } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
                throw new IOException("result file " + file + " line " + (i + 1) + " has an unexpected structure: "
                        + e.getMessage(), e);
            }
            ended |= kind.equals("end");
        }
        int jmhCount = jmh.isEmpty() ? 0 : ResultReader.readJmh(jmh, file, into);
        if (!ended) {
            notes.add(name + " has no end line: the run was stopped before it finished");
        }
        if (!machine.isEmpty() || !notes.isEmpty()) {
            List<Object> all = new ArrayList<>();
            if (machine.get("notes") instanceof List<?> earlier) {
                all.addAll(earlier);
            }
            all.addAll(notes);
            machine.put("notes", all);
            addMachine(into.machines(), machine);
        }
        into.sources().add(name + ": JSON lines, " + cases + " GEMM case" + (cases == 1 ? "" : "s") + ", " + torch
                + " PyTorch result" + (torch == 1 ? "" : "s") + ", " + jmhCount + " JMH result" + (jmhCount == 1 ? "" : "s")
                + (ended ? "" : " (no end line)"));
    }

    /**
     * Adds a file's machine, or merges it into the one already there for the same run (the suite
     * runner's machine.json and its linear.jsonl describe one run: same engine, same start).
     */
    static void addMachine(List<Map<String, Object>> machines, Map<String, Object> machine) {
        for (Map<String, Object> m : machines) {
            if (m.get("started") != null && m.get("started").equals(machine.get("started"))
                    && String.valueOf(m.get("engine_description")).equals(String.valueOf(machine.get("engine_description")))) {
                List<Object> notes = new ArrayList<>(m.get("notes") instanceof List<?> l ? l : List.of());
                if (machine.get("notes") instanceof List<?> more) {
                    more.stream().filter(n -> !notes.contains(n)).forEach(notes::add);
                }
                machine.forEach(m::putIfAbsent);
                m.put("notes", notes);
                return;
            }
        }
        machines.add(machine);
    }

    /** Header, device and end lines: what the report says about the run. */
    private static void describe(Map<String, Object> machine, List<String> notes, String kind, Map<String, Object> line) {
        switch (kind) {
            case "header" -> {
                if (line.get("machine") instanceof Map<?, ?> m) {
                    machine.putAll(ResultReader.stringKeys(m));
                }
                machine.putIfAbsent("engine_description", line.getOrDefault("benchmark", "benchmark"));
                copy(line, machine, "started");
                if (line.get("method") != null) {
                    notes.add("method: " + line.get("method"));
                }
                if (Boolean.TRUE.equals(line.get("dry_run"))) {
                    notes.add("dry run: nothing was measured");
                }
            }
            case "device" -> {
                if (Boolean.FALSE.equals(line.get("available"))) {
                    notes.add("no usable device: " + line.get("reason"));
                }
                copy(line, machine, "gpu");
                if (line.get("gpu") != null) {
                    machine.put("engine_description", machine.getOrDefault("engine_description", "benchmark") + " on "
                            + line.get("gpu"));
                }
                if (line.get("bandwidth_gbs") != null) {
                    notes.add("read bandwidth " + line.get("bandwidth_gbs") + " GB/s (" + line.getOrDefault("bandwidth_note",
                            "measured in this run") + ")");
                }
                if (line.get("decode_max_tokens") != null) {
                    notes.add("decode/GEMM threshold: " + line.get("decode_max_tokens") + " tokens (measured on "
                            + line.getOrDefault("decode_tuned_on", "this device") + ")");
                }
                for (String lib : List.of("cublaslt", "cusparselt", "cusolver")) {
                    if (line.get(lib) != null) {
                        notes.add(String.valueOf(line.get(lib)));
                    }
                }
            }
            case "end" -> {
                machine.put("finished", line.getOrDefault("finished", "?"));
                if (line.get("stopped") != null) {
                    notes.add("stopped early: " + line.get("stopped") + "; " + line.getOrDefault("cases_skipped", "?")
                            + " cases not run");
                }
            }
            default -> notes.add("line of kind '" + kind + "' not shown");
        }
    }

    private static void copy(Map<String, Object> from, Map<String, Object> to, String key) {
        if (from.get(key) != null) {
            to.put(key, from.get(key));
        }
    }

    static GemmResult gemm(Map<String, Object> r, String source) {
        String error = r.get("error") == null ? null : String.valueOf(r.get("error"));
        return new GemmResult(String.valueOf(r.get("device")), r.get("gpu") == null ? null : String.valueOf(r.get("gpu")),
                (String) r.get("shape"), (int) ResultReader.number(r.get("tokens")),
                ((String) r.get("dtype")).toUpperCase(Locale.ROOT),
                r.get("sparse_backend") == null ? "-" : String.valueOf(r.get("sparse_backend")),
                ResultReader.number(r.get("dense_kernel_ms")), ResultReader.number(r.get("sparse_kernel_ms")),
                ResultReader.number(r.get("dense_wall_ms")), ResultReader.number(r.get("sparse_wall_ms")),
                (long) orZero(r.get("bytes_dense")), (long) orZero(r.get("bytes_sparse")),
                ResultReader.number(r.get("bandwidth_gbs")), (int) orZero(r.get("copies")),
                Boolean.TRUE.equals(r.get("flush_l2")), error, source);
    }

    private static double orZero(Object o) {
        double v = ResultReader.number(o);
        return Double.isNaN(v) ? 0 : v;
    }

    /**
     * One layer of the PyTorch reference: a row per step and clock ({@code wall}: to the synchronised
     * end, transfers included, as the Java side is timed; {@code cuda events}: the device work alone).
     */
    private static int torchPruning(Map<String, Object> r, BenchResults into) {
        int rows = 0;
        for (Map.Entry<String, String> step : new java.util.TreeMap<>(TORCH_PRUNING_STEPS).entrySet()) {
            for (String clock : List.of("wall", "cuda events")) {
                Object seconds = r.get(step.getKey() + (clock.equals("wall") ? "_s" : "_device_s"));
                if (seconds == null) {
                    continue;
                }
                Map<String, String> params = new LinkedHashMap<>();
                params.put("shape", String.valueOf(r.get("shape")));
                params.put("tokens", String.valueOf(r.get("tokens")));
                params.put("engine", "torch " + r.get("device"));
                params.put("clock", clock);
                into.other().add(new OtherResult("TorchReference." + step.getValue(), params, "ss",
                        ResultReader.number(seconds) * 1e3, Double.NaN, "ms/op"));
                rows++;
            }
        }
        return rows;
    }

    /** The report's device of a PyTorch result: {@code cpu} for the script's {@code --device cpu}, else {@code cuda}. */
    static String torchDevice(Object device) {
        return "cpu".equals(device) ? "cpu" : "cuda";
    }

    /** A PyTorch result line; null for a variant that failed (its error stays in the file). */
    private static LinearResult torch(Map<String, Object> r, String source) {
        if (r.get("error") != null) {
            return null;
        }
        LinearResult.Impl impl = switch (String.valueOf(r.get("impl"))) {
            case "dense" -> LinearResult.Impl.TORCH_DENSE;
            case "cutlass" -> LinearResult.Impl.TORCH_CUTLASS;
            case "cusparselt" -> LinearResult.Impl.TORCH_CUSPARSELT;
            default -> throw new IllegalArgumentException("unknown impl '" + r.get("impl") + "'");
        };
        return new LinearResult(torchDevice(r.get("device")), impl, (String) r.get("shape"), (int) ResultReader.number(r.get("tokens")),
                ((String) r.get("dtype")).toUpperCase(Locale.ROOT), ResultReader.number(r.get("ms")), Double.NaN,
                Double.NaN, source);
    }
}
