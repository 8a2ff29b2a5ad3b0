package dev.prune4j.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} and {@code --flag} arguments of one command. Unknown names, missing values
 * and repeated options are usage errors, so a typo never silently changes what runs.
 */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    private Args() {}

    /**
     * @param valued names that take a value (without the leading dashes)
     * @param flags  names that take none
     */
    static Args parse(List<String> argv, Set<String> valued, Set<String> flags) {
        Args args = new Args();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (!a.startsWith("--") || a.length() == 2) {
                throw new UsageException("unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException("--" + name + " takes no value");
                }
                value = "true";
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.size()) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = argv.get(++i);
                }
            } else {
                throw new UsageException("unknown option --" + name);
            }
            if (args.values.put(name, value) != null) {
                throw new UsageException("--" + name + " given twice");
            }
        }
        return args;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    Path path(String name) {
        return Path.of(require(name));
    }

    double doubleValue(String name, double fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs a number, got '" + v + "'");
        }
    }

    int intValue(String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " needs an integer, got '" + v + "'");
        }
    }

    /** Rejects combinations such as {@code --sparsity} with {@code --pattern}. */
    void exactlyOneOf(String a, String b) {
        if (has(a) == has(b)) {
            throw new UsageException("give exactly one of --" + a + " and --" + b);
        }
    }
}
