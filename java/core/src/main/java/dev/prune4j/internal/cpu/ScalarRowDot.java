package dev.prune4j.internal.cpu;

import dev.prune4j.internal.tensor.FloatRows;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Plain-Java row kernels: the fallback without the Vector API. As the vector kernels do, a row is
 * widened to F32 once (into the thread's scratch) for all tokens of the tile.
 */
final class ScalarRowDot implements RowDot {
    static final ScalarRowDot INSTANCE = new ScalarRowDot();

    private ScalarRowDot() {}

    @Override
    public String description() {
        return "scalar";
    }

    @Override
    public void dense(MemorySegment w, DType dtype, int row, int in, float[] x, int tokens, float[] out,
                      RowScratch scratch) {
        FloatRows.read(w, dtype, (long) row * in, in, scratch.floats, scratch.halves);
        float[] wrow = scratch.floats;
        for (int t = 0; t < tokens; t++) {
            int xo = t * in;
            float s = 0;
            for (int k = 0; k < in; k++) {
                s = Math.fma(wrow[k], x[xo + k], s);
            }
            out[t] = s;
        }
    }

    @Override
    public void sparse(MemorySegment values, MemorySegment meta, DType dtype, int row, int in, float[] x, int tokens,
                       float[] out, RowScratch scratch) {
        FloatRows.read(values, dtype, (long) row * (in / 2), in / 2, scratch.floats, scratch.halves);
        float[] v = scratch.floats;
        long metaBase = (long) row * Sparse24.metaBytesPerRow(in);
        int groups = in / 4;
        for (int t = 0; t < tokens; t++) {
            int xo = t * in;
            float s = 0;
            for (int g = 0; g < groups; g++) {
                int nibble = (meta.get(ValueLayout.JAVA_BYTE, metaBase + g / 2) >>> ((g & 1) * 4)) & 0xF;
                s = Math.fma(v[2 * g], x[xo + 4 * g + (nibble & 3)], s);
                s = Math.fma(v[2 * g + 1], x[xo + 4 * g + (nibble >>> 2)], s);
            }
            out[t] = s;
        }
    }
}
