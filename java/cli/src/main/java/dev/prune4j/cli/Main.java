package dev.prune4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import dev.prune4j.safetensors.Links;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
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
        SignalNotice notice = SignalNotice.install(argv);
        int status;
        try {
            status = run(argv, System.out, System.err);
        } finally {
            notice.finished();
        }
        System.exit(status);
    }

    /** Runs one command line; returns the exit status. */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        PrintWriter stdout = new PrintWriter(out, true, StandardCharsets.UTF_8);
        PrintWriter stderr = new PrintWriter(err, true, StandardCharsets.UTF_8);
        CommandLine cli;
        try {
            cli = commandLine(stdout, stderr);
        } catch (Throwable t) {
            // A broken installation (a class missing from the jar): still one line.
            stderr.println("prune4j: cannot start: " + Messages.clean(Messages.of(t)));
            return FAILED;
        }
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
        int status = execute(cli, argv, stderr);
        stdout.flush();
        if (stdout.checkError() && status == 0) {
            // A PrintWriter swallows write errors (a full disk, a closed pipe): say so instead of exiting 0.
            stderr.println("prune4j " + argv[0] + ": cannot write to standard output (disk full or pipe closed?)");
            status = FAILED;
        }
        stderr.flush();
        return status;
    }

    /** Runs {@code argv} on {@code cli}: its status, or 1 with one line on {@code stderr} for a JVM error. */
    static int execute(CommandLine cli, String[] argv, PrintWriter stderr) {
        try {
            return cli.execute(argv);
        } catch (Throwable t) {
            // picocli hands Exceptions to the handler below; Errors (a mapped-file fault, an
            // OutOfMemoryError, a StackOverflowError) come through here, and end as one line too.
            stderr.println(prefixFor(cli, argv) + Messages.clean(Messages.of(t)));
            if (Boolean.getBoolean("prune4j.debug")) {
                t.printStackTrace(stderr);
            }
            return FAILED;
        }
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
        err.println(prefix(command) + Messages.clean(Messages.of(e) + remedy(e, command)));
        if (Boolean.getBoolean("prune4j.debug")) {
            e.printStackTrace(err);
        }
        return FAILED;
    }

    /** The option that gets past this refusal, where the command has one. */
    private static String remedy(Exception e, CommandLine command) {
        if (e instanceof Links.OutsideLinkException && command.getCommandSpec().findOption("--follow-symlinks") != null) {
            return " (--follow-symlinks follows it)";
        }
        if (e instanceof FileAlreadyExistsException x && "exists".equals(x.getReason())
                && command.getCommandSpec().findOption("--force") != null) {
            return " (--force replaces it)";
        }
        return "";
    }

    /** The prefix of an error line for {@code argv} when no command object is at hand. */
    private static String prefixFor(CommandLine cli, String[] argv) {
        return argv.length > 0 && cli.getSubcommands().containsKey(argv[0])
                ? "prune4j " + argv[0] + ": " : "prune4j: ";
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

    /** A file given on the command line ({@code option}) must be a regular file: one error line naming it otherwise. */
    static void requireFile(Path file, String option) throws IOException {
        if (Files.isRegularFile(file)) {
            return;
        }
        String problem = Files.isDirectory(file) ? "is a folder, not a file"
                : Files.exists(file) ? "is not a regular file (a device or a pipe?)" : "no such file";
        throw new FileSystemException(file.toString(), null, option + " " + problem);
    }
}
