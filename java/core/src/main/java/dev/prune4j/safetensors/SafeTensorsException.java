package dev.prune4j.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file, index or checkpoint folder that cannot be read or written. The message
 * always names the file, the tensor when the problem belongs to one, and the problem itself, on one
 * line (control characters escaped), so that a command-line tool can print it as its one line of error.
 */
public class SafeTensorsException extends IOException {
    private final Path file;
    private final String tensor;

    public SafeTensorsException(Path file, String problem) {
        this(file, null, problem, null);
    }

    public SafeTensorsException(Path file, String tensor, String problem) {
        this(file, tensor, problem, null);
    }

    public SafeTensorsException(Path file, String tensor, String problem, Throwable cause) {
        super(message(file, tensor, problem), cause);
        this.file = file;
        this.tensor = tensor;
    }

    /**
     * One line whatever the file holds: a tensor name, or a JSON error quoting the header, may carry
     * a newline or an ESC, and is shown escaped ({@code \n}, {@code \x1b}); {@link #tensor()} keeps it exact.
     */
    private static String message(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder();
        escape(String.valueOf(file), sb);
        if (tensor != null) {
            sb.append(": tensor '");
            escape(tensor, sb);
            sb.append('\'');
        }
        sb.append(": ");
        escape(problem, sb);
        return sb.toString();
    }

    private static void escape(String text, StringBuilder sb) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (Character.isISOControl(c)) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
    }

    /** The file (or folder) at fault. */
    public Path file() {
        return file;
    }

    /** The tensor at fault, or {@code null} when the problem is not about one tensor. */
    public String tensor() {
        return tensor;
    }
}
