package dev.prune4j.gguf;

/**
 * One GGUF metadata value: an integer of one of the eight integer types, a float, a bool, a
 * string or an array ({@link GgufArray}).
 */
public sealed interface GgufValue permits GgufValue.Int, GgufValue.Real, GgufValue.Bool, GgufValue.Text, GgufArray {
    GgufValueType type();

    /**
     * An integer as stored: {@code bits} is the value sign-extended from a signed type and
     * zero-extended from an unsigned one, so a UINT64 above {@link Long#MAX_VALUE} has negative bits.
     */
    record Int(GgufValueType type, long bits) implements GgufValue {
        public Int {
            if (!type.integer()) {
                throw new IllegalArgumentException(type + " is not an integer type");
            }
        }

        /** True when the value fits a Java {@code long}, which all but the top half of UINT64 do. */
        public boolean fitsLong() {
            return type != GgufValueType.UINT64 || bits >= 0;
        }

        @Override
        public String toString() {
            return type == GgufValueType.UINT64 ? Long.toUnsignedString(bits) : Long.toString(bits);
        }
    }

    /** A FLOAT32 (widened exactly) or FLOAT64. */
    record Real(GgufValueType type, double value) implements GgufValue {
        public Real {
            if (type != GgufValueType.FLOAT32 && type != GgufValueType.FLOAT64) {
                throw new IllegalArgumentException(type + " is not a floating-point type");
            }
        }

        @Override
        public String toString() {
            return type == GgufValueType.FLOAT32 ? Float.toString((float) value) : Double.toString(value);
        }
    }

    record Bool(boolean value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.BOOL;
        }

        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    record Text(String value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.STRING;
        }

        @Override
        public String toString() {
            return value;
        }
    }
}
