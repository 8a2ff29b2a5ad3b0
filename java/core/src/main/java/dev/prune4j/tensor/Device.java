package dev.prune4j.tensor;

import java.util.Objects;

/**
 * Where a tensor's bytes live: {@link #HOST} memory (a segment the JVM may read), or the memory of
 * an accelerator ({@code cuda:0}), which only that engine's kernels touch.
 *
 * @param kind    {@code host}, or the engine's name ({@code cuda})
 * @param ordinal the device number within its kind; 0 for the host
 */
public record Device(String kind, int ordinal) {
    /** Memory the JVM can read and write. */
    public static final Device HOST = new Device("host", 0);

    public Device {
        Objects.requireNonNull(kind, "kind");
        if (ordinal < 0) {
            throw new IllegalArgumentException("device ordinal must be >= 0, got " + ordinal);
        }
    }

    public boolean isHost() {
        return equals(HOST);
    }

    @Override
    public String toString() {
        return isHost() ? kind : kind + ":" + ordinal;
    }
}
