package dev.prune4j.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The one line a run stopped by SIGINT or SIGTERM leaves on stderr. Such a signal makes the JVM run
 * its shutdown hooks while the command is still working: the library's hook removes the temporary
 * output ({@code dev.prune4j.io.TemporaryFiles}), and this one says so, unless the command had
 * already finished (then the JVM is ending through {@code System.exit}).
 */
final class SignalNotice {
    private volatile boolean finished;

    private SignalNotice() {}

    static SignalNotice install(String[] argv) {
        SignalNotice notice = new SignalNotice();
        String command = argv.length > 0 && !argv[0].startsWith("-") ? " " + Messages.clean(argv[0]) : "";
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!notice.finished) {
                err.println("prune4j" + command + ": stopped by a signal; the unfinished output is removed");
            }
        }, "prune4j-signal-notice"));
        return notice;
    }

    void finished() {
        finished = true;
    }
}
