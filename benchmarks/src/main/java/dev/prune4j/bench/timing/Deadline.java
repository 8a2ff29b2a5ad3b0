package dev.prune4j.bench.timing;

/**
 * A wall-clock deadline for a benchmark inside a time-boxed stage of the GPU script: the stage
 * passes its end (epoch seconds, {@code PRUNE4J_STAGE_DEADLINE} or {@code --deadline}), and the
 * benchmark starts a case only when its estimate fits, so it ends with an "end" line instead of
 * being killed mid-case. {@link #NONE} never expires.
 */
public record Deadline(long epochMillis) {
    public static final Deadline NONE = new Deadline(Long.MAX_VALUE);

    /** From {@code --deadline} if given, else {@code PRUNE4J_STAGE_DEADLINE}, else none. */
    public static Deadline of(String epochSeconds) {
        String v = epochSeconds != null ? epochSeconds : System.getenv("PRUNE4J_STAGE_DEADLINE");
        if (v == null || v.isBlank()) {
            return NONE;
        }
        try {
            return new Deadline(Long.parseLong(v.trim()) * 1000);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("deadline '" + v + "' is not epoch seconds");
        }
    }

    /** Whether {@code millis} more work still ends before the deadline. */
    public boolean allows(double millis) {
        return epochMillis == Long.MAX_VALUE || System.currentTimeMillis() + millis < epochMillis;
    }

    public double secondsLeft() {
        return epochMillis == Long.MAX_VALUE ? Double.POSITIVE_INFINITY
                : (epochMillis - System.currentTimeMillis()) / 1e3;
    }
}
