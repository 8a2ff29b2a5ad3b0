package dev.prune4j.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of {@code prune4j}. */
interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** The full usage text, shown by {@code --help} and after a usage error. */
    String usage();

    /** Runs the command; {@code out} is for results, diagnostics go to the log / stderr. */
    void run(List<String> args, PrintStream out) throws Exception;
}
