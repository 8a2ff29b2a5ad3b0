package dev.prune4j.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads result files into {@link BenchResults}, recognising each by its content:
 * <ul>
 *   <li>JMH's JSON (an array of results, {@code -rf json}): {@code LinearBench} results become
 *       {@link LinearResult}s, every other benchmark an {@link OtherResult};</li>
 *   <li>{@code machine.json} from the suite runner ({@link MachineInfo#FORMAT});</li>
 *   <li>the PyTorch script's JSON ({@value #TORCH_FORMAT}, benchmarks/python/torch_linear_bench.py);</li>
 *   <li>JSON-lines files ({@code .jsonl}, one object per line, each naming its {@code format}), read by
 *       {@link JsonLinesReader}: the paired GEMM cases, the PyTorch script's lines and JMH results
 *       written one per line as they finished.</li>
 * </ul>
 * A folder stands for the {@code .json} and {@code .jsonl} files in it. Anything else is an error
 * naming the file.
 */
public final class ResultReader {
    public static final String TORCH_FORMAT = "prune4j-torch-linear/1";
    private static final String LINEAR_BENCH = "LinearBench";

    private ResultReader() {}

    public static BenchResults read(List<Path> inputs) throws IOException {
        BenchResults results = new BenchResults();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                List<Path> files;
                try (Stream<Path> s = Files.list(input)) {
                    files = s.filter(p -> p.getFileName().toString().endsWith(".json")
                            || p.getFileName().toString().endsWith(".jsonl")).sorted().toList();
                }
                if (files.isEmpty()) {
                    throw new IOException("folder " + input + " holds no .json or .jsonl result file");
                }
                for (Path f : files) {
                    readFile(f, results);
                }
            } else {
                readFile(input, results);
            }
        }
        return results;
    }

    static void readFile(Path file, BenchResults into) throws IOException {
        if (file.getFileName().toString().endsWith(".jsonl")) {
            JsonLinesReader.read(file, into);
            return;
        }
        Object root;
        try {
            root = JsonFormat.parse(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            throw new IOException("result file " + file + " is not valid JSON: " + e.getMessage(), e);
        }
        try {
            if (root instanceof List<?> list) {
                int n = readJmh(list, file, into);
                into.sources().add(file.getFileName() + ": JMH, " + n + " result" + (n == 1 ? "" : "s"));
            } else if (root instanceof Map<?, ?> map && MachineInfo.FORMAT.equals(map.get("format"))) {
                into.machines().add(stringKeys(map));
                into.sources().add(file.getFileName() + ": machine description");
            } else if (root instanceof Map<?, ?> map && TORCH_FORMAT.equals(map.get("format"))) {
                int n = readTorch(map, file, into);
                into.sources().add(file.getFileName() + ": PyTorch, " + n + " result" + (n == 1 ? "" : "s"));
            } else {
                throw new IOException("result file " + file + " is neither JMH JSON (an array), "
                        + MachineInfo.FORMAT + " nor " + TORCH_FORMAT);
            }
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new IOException("result file " + file + " has an unexpected structure: " + e.getMessage(), e);
        }
    }

    static int readJmh(List<?> list, Path file, BenchResults into) {
        int n = 0;
        for (Object o : list) {
            Map<String, Object> r = stringKeys((Map<?, ?>) o);
            String benchmark = (String) r.get("benchmark");
            if (benchmark == null) {
                throw new IllegalArgumentException("an entry has no \"benchmark\"");
            }
            String simple = simpleName(benchmark);
            Map<String, String> params = new LinkedHashMap<>();
            if (r.get("params") instanceof Map<?, ?> p) {
                p.forEach((k, v) -> params.put(String.valueOf(k), String.valueOf(v)));
            }
            Map<String, Object> primary = stringKeys((Map<?, ?>) r.get("primaryMetric"));
            double score = number(primary.get("score"));
            double error = number(primary.get("scoreError"));
            String unit = (String) primary.get("scoreUnit");
            String method = simple.substring(simple.indexOf('.') + 1);
            if (simple.startsWith(LINEAR_BENCH + ".") && (method.equals("dense") || method.equals("sparse24"))) {
                double toMs = toMillis(unit);
                String engine = params.getOrDefault("engine", "cpu");
                double kernelMs = Double.NaN;
                if (r.get("secondaryMetrics") instanceof Map<?, ?> secondary) {
                    double ns = metric(secondary, "kernelNs");
                    double calls = metric(secondary, "kernelCalls");
                    if (calls > 0) {
                        kernelMs = ns / calls / 1e6;
                    }
                }
                into.linear().add(new LinearResult(engine, method.equals("dense") ? LinearResult.Impl.PRUNE4J_DENSE
                        : LinearResult.Impl.PRUNE4J_SPARSE24, required(params, "shape"),
                        Integer.parseInt(required(params, "tokens")), required(params, "dtype"), score * toMs,
                        error * toMs, kernelMs, file.getFileName().toString()));
            } else {
                into.other().add(new OtherResult(simple, params, String.valueOf(r.get("mode")), score, error, unit));
            }
            n++;
        }
        return n;
    }

    private static int readTorch(Map<?, ?> root, Path file, BenchResults into) {
        if (root.get("machine") instanceof Map<?, ?> m) {
            Map<String, Object> machine = stringKeys(m);
            machine.putIfAbsent("engine", "torch");
            into.machines().add(machine);
        }
        int n = 0;
        for (Object o : (List<?>) root.get("results")) {
            Map<String, Object> r = stringKeys((Map<?, ?>) o);
            if (r.get("error") != null) {
                continue; // a variant this torch build cannot run: the report shows "-", the script logs why
            }
            LinearResult.Impl impl = switch (String.valueOf(r.get("impl"))) {
                case "dense" -> LinearResult.Impl.TORCH_DENSE;
                case "cutlass" -> LinearResult.Impl.TORCH_CUTLASS;
                case "cusparselt" -> LinearResult.Impl.TORCH_CUSPARSELT;
                default -> throw new IllegalArgumentException("unknown impl '" + r.get("impl") + "'");
            };
            into.linear().add(new LinearResult(JsonLinesReader.torchDevice(r.get("device")), impl, (String) r.get("shape"), (int) number(r.get("tokens")),
                    ((String) r.get("dtype")).toUpperCase(Locale.ROOT), number(r.get("ms")), number(r.get("ms_error")),
                    Double.NaN, file.getFileName().toString()));
            n++;
        }
        return n;
    }

    private static double metric(Map<?, ?> secondary, String name) {
        if (secondary.get(name) instanceof Map<?, ?> m) {
            return number(m.get("score"));
        }
        return Double.NaN;
    }

    private static String required(Map<String, String> params, String name) {
        String v = params.get(name);
        if (v == null) {
            throw new IllegalArgumentException("a LinearBench result has no parameter '" + name + "'");
        }
        return v;
    }

    /** A JSON number, or NaN for null and JMH's {@code "NaN"} strings. */
    static double number(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    /** Factor from JMH's time-per-operation unit to milliseconds. */
    static double toMillis(String unit) {
        return switch (unit == null ? "" : unit) {
            case "ns/op" -> 1e-6;
            case "us/op" -> 1e-3;
            case "ms/op" -> 1;
            case "s/op" -> 1e3;
            default -> throw new IllegalArgumentException("LinearBench score unit '" + unit
                    + "' is not a time per operation (run it in avgt or ss mode)");
        };
    }

    private static String simpleName(String benchmark) {
        int method = benchmark.lastIndexOf('.');
        int cls = benchmark.lastIndexOf('.', method - 1);
        return benchmark.substring(cls + 1);
    }

    static Map<String, Object> stringKeys(Map<?, ?> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
