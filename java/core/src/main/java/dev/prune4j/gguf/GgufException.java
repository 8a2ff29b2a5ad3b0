package dev.prune4j.gguf;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A GGUF file that cannot be read: the message names the file, the tensor or metadata key when
 * the problem belongs to one, and the problem, so that a command-line tool can print it as its one
 * line of error (the same shape as the safetensors reader's errors).
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
        return sb.append(": ").append(problem).toString();
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
