package dev.prune4j.sparse;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Half;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Plain-Java row kernels: the fallback without the Vector API, and the tails of the vector kernels. */
final class ScalarRowDot implements RowDot {
    static final ScalarRowDot INSTANCE = new ScalarRowDot();

    private ScalarRowDot() {}

    @Override
    public String description() {
        return "scalar";
    }

    /** Element {@code i} (flat) of a 16-bit or F32 segment as a float. */
    static float load(MemorySegment seg, DType dtype, long i) {
        return switch (dtype) {
            case F16 -> Half.f16ToFloat(seg.getAtIndex(Sparse24.I16, i));
            case BF16 -> Half.bf16ToFloat(seg.getAtIndex(Sparse24.I16, i));
            case F32 -> Float.intBitsToFloat(seg.getAtIndex(Sparse24.I32, i));
            default -> throw new IllegalArgumentException("no GEMM for dtype " + dtype);
        };
    }

    @Override
    public void dense(MemorySegment w, DType dtype, int row, int in, float[] x, int tokens, float[] out,
                      RowScratch scratch) {
        for (int t = 0; t < tokens; t++) {
            out[t] = denseTail(w, dtype, (long) row * in, 0, in, x, t * in);
        }
    }

    /** {@code sum_{k in [from, in)} w[base + k] * x[xOff + k]}. */
    static float denseTail(MemorySegment w, DType dtype, long base, int from, int in, float[] x, int xOff) {
        float s = 0;
        for (int k = from; k < in; k++) {
            s = Math.fma(load(w, dtype, base + k), x[xOff + k], s);
        }
        return s;
    }

    @Override
    public void sparse(MemorySegment values, MemorySegment meta, DType dtype, int row, int in, float[] x, int tokens,
                       float[] out, RowScratch scratch) {
        for (int t = 0; t < tokens; t++) {
            out[t] = sparseTail(values, meta, dtype, row, 0, in, x, t * in);
        }
    }

    /** The 2:4 dot product of row {@code row} over groups {@code [fromGroup, in / 4)}. */
    static float sparseTail(MemorySegment values, MemorySegment meta, DType dtype, int row, int fromGroup, int in,
                            float[] x, int xOff) {
        int groups = in / 4;
        long valueBase = (long) row * (in / 2);
        long metaBase = (long) row * Sparse24.metaBytesPerRow(in);
        float s = 0;
        for (int g = fromGroup; g < groups; g++) {
            int nibble = (meta.get(ValueLayout.JAVA_BYTE, metaBase + g / 2) >>> ((g & 1) * 4)) & 0xF;
            s = Math.fma(load(values, dtype, valueBase + 2L * g), x[xOff + 4 * g + (nibble & 3)], s);
            s = Math.fma(load(values, dtype, valueBase + 2L * g + 1), x[xOff + 4 * g + (nibble >>> 2)], s);
        }
        return s;
    }
}
