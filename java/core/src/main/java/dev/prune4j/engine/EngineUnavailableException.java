package dev.prune4j.engine;

/** An engine cannot run here; the message says why (no driver, no device, no native library...). */
public final class EngineUnavailableException extends RuntimeException {
    public EngineUnavailableException(String message) {
        super(message);
    }

    public EngineUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
