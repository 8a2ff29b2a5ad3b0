package dev.prune4j.gguf;

import java.util.Optional;

/** The types of GGUF metadata values, with their ids in the file and the bytes of a fixed-size value. */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** u64 byte length, then UTF-8 bytes (no terminator). */
    STRING(8, -1),
    /** u32 element type, u64 count, then the elements. */
    ARRAY(9, -1),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private final int id;
    private final int bytes;

    GgufValueType(int id, int bytes) {
        this.id = id;
        this.bytes = bytes;
    }

    public int id() {
        return id;
    }

    /** True for the eight integer types. */
    public boolean integer() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    boolean unsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    /** Bytes of one value of a fixed-size type; -1 for strings and arrays. */
    int fixedBytes() {
        return bytes;
    }

    /**
     * The fewest bytes one value of this type can take in a file (a string's length field, an
     * array's type and count): how many values a count can honestly claim is bounded by it.
     */
    int minimumBytes() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> bytes;
        };
    }

    public static Optional<GgufValueType> fromId(long id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
