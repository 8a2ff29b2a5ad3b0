package dev.prune4j.internal.cpu;

/** Per-thread work arrays of the row kernels, sized for one weight row of {@code in} elements. */
final class RowScratch {
    /** The row widened to F32. */
    final float[] floats;
    /** The row's raw 16-bit elements. */
    final short[] halves;

    RowScratch(int in) {
        floats = new float[in];
        halves = new short[in];
    }
}
