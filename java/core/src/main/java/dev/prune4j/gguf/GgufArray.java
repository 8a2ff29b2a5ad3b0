package dev.prune4j.gguf;

import java.util.Arrays;
import java.util.List;

/**
 * A GGUF metadata array: {@link #size()} elements of one {@link #elementType()}. Elements are kept
 * unboxed (integers and bools as {@code long}, floats as {@code double}), so a vocabulary of 50,000
 * strings or a table of a million integers costs about what it does in the file.
 */
public final class GgufArray implements GgufValue {
    private final GgufValueType elementType;
    private final long[] integers;
    private final double[] reals;
    private final String[] strings;
    private final GgufArray[] arrays;
    private final int size;

    private GgufArray(GgufValueType elementType, long[] integers, double[] reals, String[] strings, GgufArray[] arrays,
                      int size) {
        this.elementType = elementType;
        this.integers = integers;
        this.reals = reals;
        this.strings = strings;
        this.arrays = arrays;
        this.size = size;
    }

    /** Integers or bools (0 / 1), with {@link GgufValue.Int}'s convention for the bits. */
    static GgufArray ofIntegers(GgufValueType type, long[] values) {
        if (!type.integer() && type != GgufValueType.BOOL) {
            throw new IllegalArgumentException(type + " is not an integer or bool type");
        }
        return new GgufArray(type, values, null, null, null, values.length);
    }

    static GgufArray ofReals(GgufValueType type, double[] values) {
        return new GgufArray(type, null, values, null, null, values.length);
    }

    static GgufArray ofStrings(String[] values) {
        return new GgufArray(GgufValueType.STRING, null, null, values, null, values.length);
    }

    static GgufArray ofArrays(GgufArray[] values) {
        return new GgufArray(GgufValueType.ARRAY, null, null, null, values, values.length);
    }

    @Override
    public GgufValueType type() {
        return GgufValueType.ARRAY;
    }

    public GgufValueType elementType() {
        return elementType;
    }

    public int size() {
        return size;
    }

    /** Element {@code i} as a value of its own. */
    public GgufValue get(int i) {
        return switch (elementType) {
            case STRING -> new GgufValue.Text(strings[i]);
            case ARRAY -> arrays[i];
            case BOOL -> new GgufValue.Bool(integers[i] != 0);
            case FLOAT32, FLOAT64 -> new GgufValue.Real(elementType, reals[i]);
            default -> new GgufValue.Int(elementType, integers[i]);
        };
    }

    /** The elements of a string array, in order. */
    public List<String> strings() {
        require(strings != null, "strings");
        return Arrays.asList(strings.clone());
    }

    /** String element {@code i}, without copying the list. */
    public String string(int i) {
        require(strings != null, "strings");
        return strings[i];
    }

    /** The elements of an integer (or bool) array as longs, see {@link GgufValue.Int#bits()}. */
    public long[] integers() {
        require(integers != null, "integers");
        return integers.clone();
    }

    /** The elements of a FLOAT32 or FLOAT64 array. */
    public double[] reals() {
        require(reals != null, "floats");
        return reals.clone();
    }

    private void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("array of " + elementType + " holds no " + what);
        }
    }

    @Override
    public String toString() {
        int shown = Math.min(size, 4);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(get(i));
        }
        return sb.append(size > shown ? ", ... (" + size + " " + elementType + ")]" : "]").toString();
    }
}
