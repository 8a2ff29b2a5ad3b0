package dev.prune4j.internal.cpu;

import dev.prune4j.internal.tensor.FloatRows;
import dev.prune4j.sparse.Sparse24;
import dev.prune4j.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Plain-Java decode kernels: the fallback without the Vector API. Each row is widened once into a
 * scratch array and then used for all tokens, so the weight is still read once per call.
 */
final class ScalarRowTiles implements RowTiles {
    static final ScalarRowTiles INSTANCE = new ScalarRowTiles();

    private ScalarRowTiles() {}

    @Override
    public String description() {
        return "scalar";
    }

    /** Plain Java widens F16 with {@link Float#float16ToFloat}, exact for every code. */
    @Override
    public WeightKind kindOf(MemorySegment data, DType dtype, long count) {
        return WeightKind.of(dtype, false);
    }

    @Override
    public WeightKind prepare(WeightKind kind, float[] x, int count) {
        return kind;
    }

    private static DType dtype(WeightKind kind) {
        return switch (kind) {
            case F32 -> DType.F32;
            case BF16 -> DType.BF16;
            case F16, F16_WITH_INF_OR_NAN -> DType.F16;
        };
    }

    @Override
    public void dense(MemorySegment w, WeightKind kind, int in, int r0, int r1, float[] x, int tokens, float[] out) {
        int rows = r1 - r0;
        float[] row = new float[in];
        short[] halves = new short[in];
        for (int r = r0; r < r1; r++) {
            FloatRows.read(w, dtype(kind), (long) r * in, in, row, halves);
            for (int t = 0; t < tokens; t++) {
                int xo = t * in;
                float s = 0;
                for (int k = 0; k < in; k++) {
                    s = Math.fma(row[k], x[xo + k], s);
                }
                out[t * rows + r - r0] = s;
            }
        }
    }

    @Override
    public void sparse(MemorySegment values, MemorySegment meta, WeightKind kind, int in, int r0, int r1, float[] x,
                       MemorySegment lanes, int tokens, float[] out) {
        int rows = r1 - r0;
        int groups = in / 4;
        float[] v = new float[in / 2];
        short[] halves = new short[in / 2];
        for (int r = r0; r < r1; r++) {
            FloatRows.read(values, dtype(kind), (long) r * (in / 2), in / 2, v, halves);
            long metaBase = (long) r * Sparse24.metaBytesPerRow(in);
            for (int t = 0; t < tokens; t++) {
                int xo = t * in;
                float s = 0;
                for (int g = 0; g < groups; g++) {
                    int nibble = (meta.get(ValueLayout.JAVA_BYTE, metaBase + g / 2) >>> ((g & 1) * 4)) & 0xF;
                    s = Math.fma(v[2 * g], x[xo + 4 * g + (nibble & 3)], s);
                    s = Math.fma(v[2 * g + 1], x[xo + 4 * g + (nibble >>> 2)], s);
                }
                out[t * rows + r - r0] = s;
            }
        }
    }
}
