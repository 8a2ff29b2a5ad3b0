package dev.prune4j.bench.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a run happened: written by the suite runner as {@code machine.json} next to JMH's JSON, read
 * back by the report generator. Kept as a plain map so older and newer files both read.
 */
public final class MachineInfo {
    /** Value of the {@code format} key that marks the file. */
    public static final String FORMAT = "prune4j-machine/1";

    private MachineInfo() {}

    /** This machine now: CPU model, cores, RAM, OS, JDK, load average. */
    public static Map<String, Object> collect() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("cpu", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("ram_gib", ramGib());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("load_before", loadAverage());
        return m;
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or the JVM's 1-minute one. */
    public static List<Object> loadAverage() {
        List<Object> out = new ArrayList<>();
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            for (int i = 0; i < 3; i++) {
                out.add(Double.parseDouble(f[i]));
            }
        } catch (IOException | RuntimeException e) {
            double one = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            if (one >= 0) {
                out.add(one);
            }
        }
        return out;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    private static double ramGib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return Math.round(kb / 1024.0 / 1024.0 * 10) / 10.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return Double.NaN;
    }

    /** One line for the report's header, from the keys present. */
    public static String describe(Map<String, Object> m) {
        List<String> parts = new ArrayList<>();
        if (m.get("cpu") != null) {
            parts.add(m.get("cpu") + ", " + m.getOrDefault("cores", "?") + " cores, " + m.getOrDefault("ram_gib", "?")
                    + " GiB RAM");
        }
        if (m.get("gpu") != null) {
            parts.add("GPU " + m.get("gpu"));
        }
        for (String key : List.of("os", "jdk")) {
            if (m.get(key) != null) {
                parts.add(String.valueOf(m.get(key)));
            }
        }
        for (String key : List.of("torch", "cuda", "cusparselt")) {
            if (m.get(key) != null) {
                parts.add(key + " " + m.get(key));
            }
        }
        return parts.isEmpty() ? "not described" : String.join("; ", parts);
    }

    /** "1.23 / 2.00 / 3.10" from a list of numbers, or "-". */
    public static String load(Object list) {
        if (!(list instanceof List<?> l) || l.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        for (Object o : l) {
            parts.add(o instanceof Number n ? String.format(Locale.ROOT, "%.2f", n.doubleValue()) : String.valueOf(o));
        }
        return String.join(" / ", parts);
    }
}
