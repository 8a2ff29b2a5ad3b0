package dev.prune4j.bindings;

/** libprune4j could not be found or loaded here; the message lists every place that was tried. */
public final class NativeLibraryUnavailableException extends RuntimeException {
    public NativeLibraryUnavailableException(String message) {
        super(message);
    }

    public NativeLibraryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
