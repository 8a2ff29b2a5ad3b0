package dev.prune4j.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file, index or checkpoint folder that cannot be read or written. The message
 * always names the file, the tensor when the problem belongs to one, and the problem itself, so
 * that a command-line tool can print it as its one line of error.
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

    private static String message(Path file, String tensor, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file);
        if (tensor != null) {
            sb.append(": tensor '").append(tensor).append('\'');
        }
        return sb.append(": ").append(problem).toString();
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
