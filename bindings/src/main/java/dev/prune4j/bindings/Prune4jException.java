package dev.prune4j.bindings;

/** A call into libprune4j returned a non-zero status; the message is the library's own. */
public final class Prune4jException extends RuntimeException {
    private final int status;

    public Prune4jException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** One of the {@code P4J_ERR_*} codes of {@link Prune4jH}. */
    public int status() {
        return status;
    }

    public boolean isOutOfMemory() {
        return status == Prune4jH.P4J_ERR_OUT_OF_MEMORY;
    }
}
