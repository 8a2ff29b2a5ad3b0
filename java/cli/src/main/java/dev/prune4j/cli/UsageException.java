package dev.prune4j.cli;

/** Bad command-line arguments: reported as one line on stderr with exit status 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
