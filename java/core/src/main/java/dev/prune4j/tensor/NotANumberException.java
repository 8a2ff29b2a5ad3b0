package dev.prune4j.tensor;

/**
 * A tensor holds NaN where a magnitude is needed: NaN has no order, so nothing can be pruned by it.
 * The message names the tensor, its shape and the position; both engines throw this.
 */
public final class NotANumberException extends IllegalArgumentException {
    private final long index;

    private NotANumberException(String message, long index) {
        super(message);
        this.index = index;
    }

    /** NaN at flat index {@code index} of {@code t}. */
    public static NotANumberException at(Tensor t, long index) {
        long cols = Math.max(1, t.cols());
        return new NotANumberException("tensor '" + t.name() + "' " + t.shapeString() + " holds NaN at flat index "
                + index + " (row " + (index / cols) + ", column " + (index % cols)
                + "): NaN weights have no magnitude and cannot be pruned", index);
    }

    /** The flat index of the NaN. */
    public long index() {
        return index;
    }
}
