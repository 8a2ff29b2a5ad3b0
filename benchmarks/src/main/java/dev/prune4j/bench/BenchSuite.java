package dev.prune4j.bench;

import dev.prune4j.bench.shapes.BenchShapes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The suite's profiles: which benchmarks run with which parameters and iterations, per engine.
 *
 * <ul>
 *   <li><b>quick cpu</b> (under 10 minutes on 2 cores): the 7B and 13B shapes at 1 and 16 tokens in
 *       F16, the 7B shapes at 1 token in BF16, the 70B q/o and k/v at 1 token; one fork, three 1 s
 *       warmups, three 1 s iterations; the mask kernels on 4096x4096 F16. Java GEMMs at 128+ tokens
 *       take seconds per call on the large shapes, so the quick profile stays at decode sizes;
 *       the whole-7B global magnitude (tens of seconds per call) is left out.</li>
 *   <li><b>full cpu</b>: every shape at 1, 16 and 128 tokens, F16 and BF16; mask kernels at their
 *       defaults; the whole-7B global magnitude.</li>
 *   <li><b>quick cuda</b> (aimed at under 8 minutes on an H100): every shape at every token count,
 *       F16 and BF16, trials in one JVM (no forks: JIT warm-up is beside the point for native
 *       calls, and trials reuse the prepared weight), one 0.2 s warmup, three 0.2 s iterations; mask
 *       kernels; the whole-7B global magnitude once.</li>
 *   <li><b>full cuda</b>: as quick, with one fork per trial and the default iterations.</li>
 * </ul>
 * Benchmarks other engineers add ({@link #OPTIONAL}) join every profile when their class is on
 * the class path, with the profile's iteration settings and engine.
 */
public final class BenchSuite {
    /** Benchmarks that may or may not exist in this build; each runs with its own defaults. */
    public static final List<String> OPTIONAL = List.of("dev.prune4j.bench.WandaBench",
            "dev.prune4j.bench.SparseGptBench");

    private static final TimeValue S1 = TimeValue.seconds(1);
    private static final TimeValue MS200 = TimeValue.milliseconds(200);

    private BenchSuite() {}

    /** The runs of a profile for {@code engine} ({@code cpu} or {@code cuda}). */
    public static List<BenchRun> profile(String engine, boolean quick) {
        List<BenchRun> runs = new ArrayList<>();
        List<String> e = List.of(engine);
        if (engine.equals("cpu")) {
            if (quick) {
                // Three warmup seconds: the first call of a kernel runs before C2 has compiled its Vector API
                // loop and takes 1-3 s on two busy cores; three iterations give JMH a confidence interval.
                runs.add(linear("linear-f16", List.of("4096x4096", "11008x4096", "4096x11008", "5120x5120",
                        "13824x5120", "5120x13824"), List.of("1", "16"), List.of("F16"), e, 3, S1, 3, S1, 1));
                runs.add(linear("linear-bf16", BenchShapes.shapesOf("LLaMA-2-7B"), List.of("1"), List.of("BF16"), e,
                        3, S1, 3, S1, 1));
                runs.add(linear("linear-70b", List.of("8192x8192", "1024x8192"), List.of("1"), List.of("F16"), e,
                        3, S1, 3, S1, 1));
                runs.add(new BenchRun("mask", MaskBench.class, params("shape", List.of("4096x4096"), "dtype",
                        List.of("F16"), "engine", e), 2, S1, 3, S1, 1));
            } else {
                runs.add(linear("linear", BenchShapes.allShapes(), List.of("1", "16", "128"), BenchShapes.DTYPES, e,
                        2, TimeValue.seconds(2), 5, TimeValue.seconds(2), 1));
                runs.add(new BenchRun("mask", MaskBench.class, params("engine", e), 1, S1, 3, S1, 1));
                runs.add(new BenchRun("global-magnitude", GlobalMagnitudeBench.class, params("engine", e), 1, S1, 2,
                        S1, 1));
                runs.add(calibration(e, "8192", 1));
                // RIA, OWL and SparseSwaps have CPU kernels only so far.
                runs.add(new BenchRun("methods", MethodsBenchmark.class, params("engine", e), 1, S1, 2, S1, 1));
            }
        } else {
            List<String> tokens = BenchShapes.TOKENS.stream().map(String::valueOf).toList();
            if (quick) {
                runs.add(linear("linear", BenchShapes.allShapes(), tokens, BenchShapes.DTYPES, e, 1, MS200, 3, MS200,
                        0));
                runs.add(new BenchRun("mask", MaskBench.class, params("engine", e), 1, MS200, 3, MS200, 0));
                runs.add(new BenchRun("global-magnitude", GlobalMagnitudeBench.class, params("engine", e), 0, S1, 1,
                        S1, 1));
                runs.add(calibration(e, "262144", 0));
            } else {
                runs.add(linear("linear", BenchShapes.allShapes(), tokens, BenchShapes.DTYPES, e, 2, S1, 5, S1, 1));
                runs.add(new BenchRun("mask", MaskBench.class, params("engine", e), 1, S1, 3, S1, 1));
                runs.add(new BenchRun("global-magnitude", GlobalMagnitudeBench.class, params("engine", e), 1, S1, 2,
                        S1, 1));
                runs.add(calibration(e, "262144", 1));
            }
        }
        for (String name : OPTIONAL) {
            Class<?> c = optionalClass(name);
            if (c != null) {
                BenchRun template = runs.get(0); // the profile's main run sets the forks
                runs.add(new BenchRun(c.getSimpleName(), c, params("engine", e), quick ? 1 : 2, S1, quick ? 2 : 5, S1,
                        template.forks()));
            }
        }
        return runs;
    }

    /**
     * A run of seconds for CI: the 70B k/v shape (8 M weights) at 1 token in F16 on the CPU, the mask
     * kernels on it, and the global magnitude selection on the tiny synthetic model; one fork, no
     * warmup, one short iteration.
     */
    public static List<BenchRun> smoke() {
        TimeValue t = TimeValue.milliseconds(100);
        List<String> cpu = List.of("cpu");
        return List.of(
                linear("smoke-linear", List.of("1024x8192"), List.of("1"), List.of("F16"), cpu, 0, t, 1, t, 1),
                new BenchRun("smoke-mask", MaskBench.class, params("shape", List.of("1024x8192"), "dtype",
                        List.of("F16"), "engine", cpu), 0, t, 1, t, 1),
                new BenchRun("smoke-global", GlobalMagnitudeBench.class, params("model", List.of("tiny"), "engine",
                        cpu), 0, t, 1, t, 1));
    }

    /** One line per profile setting for the report. */
    public static String describe(String engine, boolean quick) {
        if (engine.equals("cpu") && quick) {
            return "quick CPU profile: 1 and 16 tokens only (the 70B shapes and BF16 at 1 token; Java GEMMs at "
                    + "128+ tokens take seconds per call on two cores), one fork, 3 x 1 s warmup + 3 x 1 s iterations; "
                    + "the whole-7B global magnitude left out";
        }
        if (engine.equals("cpu")) {
            return "full CPU profile: 1, 16 and 128 tokens (2048 and 8192 are minutes per call in Java), one fork, "
                    + "2 x 2 s warmup + 5 x 2 s iterations";
        }
        return quick ? "quick GPU profile: all shapes, tokens and dtypes; trials in one JVM, 1 x 0.2 s warmup + "
                + "3 x 0.2 s iterations" : "full GPU profile: one fork per trial, 2 x 1 s warmup + 5 x 1 s iterations";
    }

    private static BenchRun linear(String name, List<String> shapes, List<String> tokens, List<String> dtypes,
                                   List<String> engine, int warmups, TimeValue warmupTime, int iterations,
                                   TimeValue time, int forks) {
        return new BenchRun(name, LinearBench.class, params("shape", shapes, "tokens", tokens, "dtype", dtypes,
                "engine", engine), warmups, warmupTime, iterations, time, forks);
    }

    /**
     * Wanda, SparseGPT and the Hessian accumulation on the LLaMA-7B layers ({@link CalibrationBenchmark},
     * single calls): {@code tokens} calibration tokens (8192 on the CPU, the papers' 128 x 2048 on a
     * GPU), one warm-up call and three measured ones.
     */
    private static BenchRun calibration(List<String> engine, String tokens, int forks) {
        return new BenchRun("calibration", CalibrationBenchmark.class, params("engine", engine, "tokens",
                List.of(tokens)), 1, S1, 3, S1, forks);
    }

    private static Map<String, List<String>> params(Object... kv) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> v = (List<String>) kv[i + 1];
            m.put((String) kv[i], v);
        }
        return m;
    }

    private static Class<?> optionalClass(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            return null;
        }
    }
}
