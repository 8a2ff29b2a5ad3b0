package dev.prune4j.gguf;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A GGUF file that cannot be read: the message names the file, the tensor or metadata key when
 * the problem belongs to one, and the problem, so that a command-line tool can print it as its one
 * line of error (the same shape as the safetensors reader's errors); control characters in it are
 * escaped.
 */
public class GgufException extends IOException {
    private final Path file;
    private final String tensor;

    public GgufException(Path file, String problem) {
        this(file, null, problem);
    }

    public GgufException(Path file, String tensor, String problem) {
        super(message(file, tensor, problem));
        this.file = file;
        this.tensor = tensor;
    }

    private static String message(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder().append(file);
        if (tensor != null) {
            sb.append(": tensor '").append(tensor).append('\'');
        }
        return escapeControls(sb.append(": ").append(problem));
    }

    /**
     * Names and keys come from the file: a newline in one would split the one line of error, and an
     * ESC would send the terminal a control sequence. They are shown escaped ({@code \n}, {@code \x1b}).
     */
    private static String escapeControls(CharSequence text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (Character.isISOControl(c)) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The tensor at fault, or {@code null} when the problem is not about one tensor. */
    public String tensor() {
        return tensor;
    }
}
