package dev.prune4j.cli;

import dev.prune4j.io.IoErrors;
import dev.prune4j.safetensors.MappedFaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.regex.Pattern;

/** The text of error lines: the message without a Java class name, on one line, without control characters. */
final class Messages {
    /** {@code java.lang.IllegalArgumentException: } and the like, where a message quotes another exception. */
    private static final Pattern CLASS_PREFIX =
            Pattern.compile("\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error): ");

    private Messages() {}

    /** What went wrong, in words: the message, or for the JDK's file errors and the JVM's errors a sentence. */
    static String of(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return of(u.getCause());
        }
        if (e instanceof IOException io) {
            return withoutClassNames(IoErrors.describe(io));
        }
        if (MappedFaults.isMappedFault(e)) {
            return "a memory-mapped file could not be read or written (a file truncated while in use, or a full disk)";
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory (" + (e.getMessage() == null ? "no detail" : e.getMessage()) + "); the Java heap may"
                    + " use up to " + dev.prune4j.io.FreeSpace.human(Runtime.getRuntime().maxMemory())
                    + ", PRUNE4J_JAVA_OPTS=-Xmx... gives it more";
        }
        if (e instanceof StackOverflowError) {
            return "internal error: the stack overflowed (rerun with PRUNE4J_JAVA_OPTS=-Dprune4j.debug=true for where)";
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            // A bug, not a user's mistake: say so, with the kind as a hint for the report.
            return "internal error (" + words(e.getClass().getSimpleName()) + ")";
        }
        return withoutClassNames(m);
    }

    /** {@code NullPointerException} as {@code null pointer exception}. */
    static String words(String className) {
        return className.replaceAll("([a-z0-9])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    static String withoutClassNames(String message) {
        return CLASS_PREFIX.matcher(message).replaceAll("");
    }

    /** {@code text} on one line: newlines and other control characters (ESC too) shown escaped. */
    static String clean(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append(' ');
            } else if (Character.isISOControl(c)) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString().strip();
    }
}
