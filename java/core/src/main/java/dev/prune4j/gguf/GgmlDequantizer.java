package dev.prune4j.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Turns ggml blocks into floats exactly as ggml's reference {@code dequantize_row_*} functions do,
 * in float arithmetic (Java never fuses the multiply and add):
 * <ul>
 *   <li>Q8_0: f16 scale d, 32 signed bytes q; {@code x = q * d}</li>
 *   <li>Q4_0: f16 scale d, 16 bytes of nibbles; {@code x = (q - 8) * d}</li>
 *   <li>Q4_1: f16 scale d, f16 minimum m, 16 bytes of nibbles; {@code x = q * d + m}</li>
 * </ul>
 * In both 4-bit formats byte {@code j} holds element {@code j} in its low nibble and element
 * {@code j + 16} in its high nibble. F16 and BF16 widen losslessly; F32 is copied.
 */
final class GgmlDequantizer {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private GgmlDequantizer() {}

    /**
     * Dequantises {@code elements} values (a whole number of blocks) starting at byte {@code from}
     * of {@code src} into {@code dst[offset ...]}.
     */
    static void dequantize(GgmlType type, MemorySegment src, long from, float[] dst, int offset, int elements) {
        if (elements % type.blockSize() != 0) {
            throw new IllegalArgumentException(elements + " elements are not a whole number of " + type + " blocks");
        }
        switch (type) {
            case F32 -> MemorySegment.copy(src, F32, from, dst, offset, elements);
            case F16 -> {
                for (int i = 0; i < elements; i++) {
                    dst[offset + i] = Float.float16ToFloat(src.get(I16, from + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < elements; i++) {
                    dst[offset + i] = Float.intBitsToFloat((src.get(I16, from + 2L * i) & 0xFFFF) << 16);
                }
            }
            case Q8_0 -> q80(src, from, dst, offset, elements / 32);
            case Q4_0 -> q40(src, from, dst, offset, elements / 32);
            case Q4_1 -> q41(src, from, dst, offset, elements / 32);
            default -> throw new IllegalArgumentException("cannot dequantise " + type);
        }
    }

    private static void q80(MemorySegment src, long from, float[] dst, int offset, int blocks) {
        byte[] q = new byte[32];
        for (int b = 0; b < blocks; b++) {
            long at = from + 34L * b;
            float d = Float.float16ToFloat(src.get(I16, at));
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, at + 2, q, 0, 32);
            int o = offset + 32 * b;
            for (int j = 0; j < 32; j++) {
                dst[o + j] = q[j] * d;
            }
        }
    }

    private static void q40(MemorySegment src, long from, float[] dst, int offset, int blocks) {
        byte[] q = new byte[16];
        for (int b = 0; b < blocks; b++) {
            long at = from + 18L * b;
            float d = Float.float16ToFloat(src.get(I16, at));
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, at + 2, q, 0, 16);
            int o = offset + 32 * b;
            for (int j = 0; j < 16; j++) {
                dst[o + j] = ((q[j] & 0x0F) - 8) * d;
                dst[o + j + 16] = (((q[j] >> 4) & 0x0F) - 8) * d;
            }
        }
    }

    private static void q41(MemorySegment src, long from, float[] dst, int offset, int blocks) {
        byte[] q = new byte[16];
        for (int b = 0; b < blocks; b++) {
            long at = from + 20L * b;
            float d = Float.float16ToFloat(src.get(I16, at));
            float m = Float.float16ToFloat(src.get(I16, at + 2));
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, at + 4, q, 0, 16);
            int o = offset + 32 * b;
            for (int j = 0; j < 16; j++) {
                dst[o + j] = (q[j] & 0x0F) * d + m;
                dst[o + j + 16] = ((q[j] >> 4) & 0x0F) * d + m;
            }
        }
    }
}
