package dev.prune4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * {@code prune4j COMMAND [--option value ...]}. Exit status: 0 done, 1 failed (one line on stderr
 * says why), 2 bad arguments.
 */
public final class Main {
    private final Map<String, Command> commands = new LinkedHashMap<>();

    private Main() {
        for (Command c : List.of(new DemoCommand(), new SynthCommand(), new PruneCommand(), new CalibrateCommand(), new AnalyzeCommand(),
                new CompareCommand(), new EvalCommand())) {
            commands.put(c.name(), c);
        }
    }

    public static void main(String[] argv) {
        configureLogging();
        System.exit(new Main().run(argv, System.out, System.err));
    }

    /** Runs one command line; returns the exit status. */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        return new Main().dispatch(argv, out, err);
    }

    private int dispatch(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("help") || argv[0].equals("-h")) {
            out.print(overview());
            return argv.length == 0 ? 2 : 0;
        }
        Command command = commands.get(argv[0]);
        if (command == null) {
            err.println("prune4j: unknown command '" + argv[0] + "'. Commands: " + String.join(", ", commands.keySet()));
            return 2;
        }
        List<String> rest = Arrays.asList(argv).subList(1, argv.length);
        if (rest.contains("--help") || rest.contains("-h")) {
            out.print(command.usage());
            return 0;
        }
        try {
            command.run(rest, out);
            return 0;
        } catch (UsageException e) {
            err.println("prune4j " + command.name() + ": " + e.getMessage() + " (see ./prune4j " + command.name() + " --help)");
            return 2;
        } catch (NoSuchFileException e) {
            err.println("prune4j " + command.name() + ": no such file or folder: " + e.getFile());
            return 1;
        } catch (UncheckedIOException e) {
            err.println("prune4j " + command.name() + ": " + message(e.getCause()));
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("prune4j " + command.name() + ": " + message(e));
            if (Boolean.getBoolean("prune4j.debug")) {
                e.printStackTrace(err);
            }
            return 1;
        } catch (Exception e) {
            err.println("prune4j " + command.name() + ": " + message(e));
            return 1;
        }
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.toString() : m;
    }

    private String overview() {
        StringBuilder sb = new StringBuilder("usage: ./prune4j COMMAND [options]   (./prune4j COMMAND --help for details)\n\n");
        for (Command c : commands.values()) {
            sb.append(String.format("  %-9s %s%n", c.name(), c.summary()));
        }
        // These two live in the benchmarks module (JMH); the ./prune4j launcher runs them from there.
        sb.append(String.format("  %-9s %s%n", "bench", "run the JMH suite: dense vs 2:4 layers, pruning kernels (report.md, plots)"));
        sb.append(String.format("  %-9s %s%n", "report", "turn JMH / PyTorch JSON results into report.md and plots"));
        return sb.toString();
    }

    /** One line per log record on stderr: {@code prune4j: message}. */
    private static void configureLogging() {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new Formatter() {
            @Override
            public String format(LogRecord r) {
                String level = r.getLevel().intValue() >= Level.WARNING.intValue() ? r.getLevel().getName().toLowerCase() + ": " : "";
                return "prune4j: " + level + formatMessage(r) + System.lineSeparator();
            }
        });
        root.addHandler(handler);
    }
}
