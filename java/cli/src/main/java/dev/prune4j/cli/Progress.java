package dev.prune4j.cli;

import java.io.PrintStream;

/**
 * A progress bar on stderr, drawn only on a terminal and only once the work has taken more than a
 * second, so pipes, logs and quick runs stay clean.
 */
final class Progress implements AutoCloseable {
    private static final long DELAY_NANOS = 1_000_000_000L;
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean enabled;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long done;
    private boolean drawn;

    Progress(String label, long total) {
        this(label, total, System.err, System.console() != null && System.console().isTerminal());
    }

    Progress(String label, long total, PrintStream out, boolean enabled) {
        this.label = label;
        this.total = Math.max(1, total);
        this.out = out;
        this.enabled = enabled;
    }

    /** Marks {@code amount} more units done; {@code what} names the current item. */
    synchronized void advance(String what, long amount) {
        done += amount;
        if (!enabled || System.nanoTime() - start < DELAY_NANOS) {
            return;
        }
        int filled = (int) (WIDTH * Math.min(1.0, (double) done / total));
        String name = Messages.clean(what); // a tensor name from a file: no control sequence reaches the terminal
        String item = name.length() > 40 ? "..." + name.substring(name.length() - 37) : name;
        out.printf("\r%s [%s%s] %3d%% %-40s", label, "#".repeat(filled), " ".repeat(WIDTH - filled),
                (int) (100.0 * done / total), item);
        out.flush();
        drawn = true;
    }

    @Override
    public synchronized void close() {
        if (drawn) {
            out.print("\r" + " ".repeat(label.length() + WIDTH + 50) + "\r");
            out.flush();
        }
    }
}
