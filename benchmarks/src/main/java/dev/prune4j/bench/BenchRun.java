package dev.prune4j.bench;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * One JMH launch of the suite: a benchmark class, the parameter values to run it with (overriding its
 * {@code @Param} defaults), and iteration settings. A profile ({@link BenchSuite}) is a list of these,
 * so parameters need not be a full cross product (the quick CPU profile measures the 70B shapes at
 * fewer token counts than the 7B ones).
 *
 * @param name        short name, also the name of its partial JSON file
 * @param benchClass  the benchmark class
 * @param params      parameter name to values; names the class does not declare are left out
 * @param warmups     warmup iterations (0 allowed)
 * @param warmupTime  time per warmup iteration
 * @param iterations  measurement iterations
 * @param time        time per measurement iteration (ignored in single-shot mode)
 * @param forks       JMH forks; 0 runs the trials in the runner's own JVM
 */
public record BenchRun(String name, Class<?> benchClass, Map<String, List<String>> params, int warmups,
                       TimeValue warmupTime, int iterations, TimeValue time, int forks) {

    public BenchRun {
        params = new LinkedHashMap<>(params);
    }

    /** The {@code Class.method} names of the class's benchmarks. */
    public List<String> methods() {
        List<String> out = new ArrayList<>();
        for (Method m : benchClass.getMethods()) {
            if (m.isAnnotationPresent(Benchmark.class)) {
                out.add(benchClass.getSimpleName() + "." + m.getName());
            }
        }
        out.sort(null);
        return out;
    }

    /** Whether the class, or one of its nested {@code @State} classes, has a {@code @Param} field {@code name}. */
    public boolean declares(String name) {
        if (declaresParam(benchClass, name)) {
            return true;
        }
        // JMH also takes parameters from the benchmark's nested @State classes (one value for all of them).
        for (Class<?> state : benchClass.getClasses()) {
            if (declaresParam(state, name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean declaresParam(Class<?> c, String name) {
        try {
            Field f = c.getField(name);
            return f.isAnnotationPresent(Param.class);
        } catch (NoSuchFieldException e) {
            return false;
        }
    }

    /** The same run with {@code name} set to {@code values}, when the class declares it. */
    public BenchRun with(String name, List<String> values) {
        Map<String, List<String>> p = new LinkedHashMap<>(params);
        if (declares(name)) {
            p.put(name, List.copyOf(values));
        }
        return new BenchRun(this.name, benchClass, p, warmups, warmupTime, iterations, time, forks);
    }

    /**
     * JMH options for the methods of this run that {@code include} finds (all when null); null when
     * it finds none.
     */
    public ChainedOptionsBuilder options(Pattern include) {
        List<String> chosen = methods().stream().filter(m -> include == null || include.matcher(m).find()).toList();
        if (chosen.isEmpty()) {
            return null;
        }
        ChainedOptionsBuilder o = new OptionsBuilder()
                .warmupIterations(warmups)
                .warmupTime(warmupTime)
                .measurementIterations(iterations)
                .measurementTime(time)
                .forks(forks)
                .shouldFailOnError(false);
        for (String m : chosen) {
            o.include("^" + Pattern.quote(benchClass.getPackageName() + "." + m) + "$");
        }
        params.forEach((k, v) -> {
            if (declares(k)) {
                o.param(k, v.toArray(String[]::new));
            }
        });
        return o;
    }

    @Override
    public String toString() {
        List<String> p = new ArrayList<>();
        params.forEach((k, v) -> p.add(k + "=" + String.join(",", v)));
        return name + " (" + benchClass.getSimpleName() + " " + String.join(" ", p) + "; " + warmups + "x"
                + warmupTime + " warmup, " + iterations + "x" + time + ", forks " + forks + ")";
    }
}
