package dev.prune4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code prune4j COMMAND [--option value ...]}. Exit status: 0 done, 1 failed, 2 bad arguments;
 * a failure or a usage error is always exactly one line on stderr that names the file, tensor or
 * option at fault. Every command's {@code --help} is generated from its picocli annotations.
 */
public final class Main {
    static final int FAILED = 1;
    static final int USAGE = 2;
    /** Columns of the generated help; the footers are written for it. */
    static final int HELP_WIDTH = 100;

    private Main() {}

    public static void main(String[] argv) {
        configureLogging();
        // Plots are drawn off screen; the application, not the library, decides that.
        System.setProperty("java.awt.headless", "true");
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs one command line; returns the exit status. */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        PrintWriter stdout = new PrintWriter(out, true, StandardCharsets.UTF_8);
        PrintWriter stderr = new PrintWriter(err, true, StandardCharsets.UTF_8);
        CommandLine cli = commandLine(stdout, stderr);
        if (argv.length == 0) {
            cli.usage(stdout);
            stdout.flush();
            return USAGE;
        }
        if (List.of("help", "--help", "-h").contains(argv[0]) && argv.length == 1) {
            cli.usage(stdout);
            stdout.flush();
            return 0;
        }
        int status = cli.execute(argv);
        stdout.flush();
        if (stdout.checkError() && status == 0) {
            // A PrintWriter swallows write errors (a full disk, a closed pipe): say so instead of exiting 0.
            stderr.println("prune4j " + argv[0] + ": cannot write to standard output (disk full or pipe closed?)");
            status = FAILED;
        }
        stderr.flush();
        return status;
    }

    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Prune4jCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUsageHelpWidth(HELP_WIDTH);
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((e, command, parseResult) -> failure(e, command));
        return cli;
    }

    /** A parse error: one line naming the option, exit 2. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String message = e.getMessage();
        if (command.getParent() == null && e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && !u.getUnmatched().getFirst().startsWith("-")) {
            err.println("prune4j: unknown command '" + Messages.clean(u.getUnmatched().getFirst()) + "'. Commands: "
                    + String.join(", ", command.getSubcommands().keySet()));
            return USAGE;
        }
        err.println(prefix(command) + Messages.clean(message) + hint(command));
        return USAGE;
    }

    /** An exception from a command: usage errors exit 2, everything else 1, in one line. */
    private static int failure(Exception e, CommandLine command) {
        PrintWriter err = command.getErr();
        if (e instanceof UsageException) {
            err.println(prefix(command) + Messages.clean(e.getMessage()) + hint(command));
            return USAGE;
        }
        String message;
        if (e instanceof NoSuchFileException n) {
            message = "no such file or folder: " + n.getFile();
        } else if (e instanceof UncheckedIOException u) {
            message = Messages.of(u.getCause());
        } else {
            message = Messages.of(e);
        }
        err.println(prefix(command) + Messages.clean(message));
        if (Boolean.getBoolean("prune4j.debug")) {
            e.printStackTrace(err);
        }
        return FAILED;
    }

    private static String prefix(CommandLine command) {
        return command.getParent() == null ? "prune4j: " : "prune4j " + command.getCommandName() + ": ";
    }

    private static String hint(CommandLine command) {
        String name = command.getParent() == null ? "" : " " + command.getCommandName();
        return " (see ./prune4j" + name + " --help)";
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
                String level = r.getLevel().intValue() >= Level.WARNING.intValue()
                        ? r.getLevel().getName().toLowerCase(Locale.ROOT) + ": " : "";
                return "prune4j: " + level + Messages.clean(formatMessage(r)) + System.lineSeparator();
            }
        });
        root.addHandler(handler);
    }

    /** Reads a file given on the command line as one error line when it is missing. */
    static void requireFile(java.nio.file.Path file, String what) throws IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, what);
        }
    }
}
