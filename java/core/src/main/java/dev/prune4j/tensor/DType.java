package dev.prune4j.tensor;

import java.util.Locale;
import java.util.Optional;

/**
 * Element types, named as in the safetensors header. Only the three floating-point types
 * {@link #F32}, {@link #F16} and {@link #BF16} can be pruned; the others are read and copied
 * unchanged so that a whole checkpoint round-trips.
 */
public enum DType {
    F64(8, true),
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    F8_E4M3(1, false),
    F8_E5M2(1, false),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U64(8, false),
    U32(4, false),
    U16(2, false),
    U8(1, false),
    BOOL(1, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    public int byteSize() {
        return byteSize;
    }

    /** True for the types whose weights prune4j can score and prune: F32, F16 and BF16. */
    public boolean prunable() {
        return this == F32 || this == F16 || this == BF16;
    }

    public boolean floating() {
        return floating;
    }

    /** The name used in safetensors headers (identical to the constant's name). */
    public String safetensorsName() {
        return name();
    }

    public static Optional<DType> fromSafetensorsName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Parses a command-line spelling such as {@code f16}, {@code bf16} or {@code f32}. */
    public static DType parse(String spelling) {
        String upper = spelling.toUpperCase(Locale.ROOT);
        return fromSafetensorsName(upper)
                .filter(DType::prunable)
                .orElseThrow(() -> new IllegalArgumentException(
                        "unknown dtype '" + spelling + "' (expected f32, f16 or bf16)"));
    }
}
