package dev.prune4j.gguf;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key-value metadata of a GGUF file, in file order, with typed getters whose errors name the
 * file and the key ({@code llama.block_count is missing}, {@code ... is a STRING, not an integer}).
 * Integer getters accept any of the eight integer types, as models are written with UINT32 by one
 * converter and INT32 or UINT64 by another.
 */
public final class GgufMetadata {
    private final Path file;
    private final Map<String, GgufValue> values;

    GgufMetadata(Path file, Map<String, GgufValue> values) {
        this.file = file;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Every entry in file order. */
    public Map<String, GgufValue> asMap() {
        return values;
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String string(String key) throws GgufException {
        return switch (require(key)) {
            case GgufValue.Text t -> t.value();
            case GgufValue v -> throw wrongType(key, v, "a string");
        };
    }

    public long integer(String key) throws GgufException {
        return switch (require(key)) {
            case GgufValue.Int i when i.fitsLong() -> i.bits();
            case GgufValue.Int i -> throw new GgufException(file, key + " = " + i + " does not fit a signed 64-bit integer");
            case GgufValue v -> throw wrongType(key, v, "an integer");
        };
    }

    /** {@link #integer(String)}, or {@code fallback} when the key is absent. */
    public long integer(String key, long fallback) throws GgufException {
        return contains(key) ? integer(key) : fallback;
    }

    /** An integer that must lie in {@code [min, max]}, as an int. */
    public int intInRange(String key, int min, int max) throws GgufException {
        long v = integer(key);
        if (v < min || v > max) {
            throw new GgufException(file, key + " = " + v + " is outside [" + min + ", " + max + "]");
        }
        return (int) v;
    }

    /** A FLOAT32 or FLOAT64 value (FLOAT32 widened exactly). */
    public double real(String key) throws GgufException {
        return switch (require(key)) {
            case GgufValue.Real r -> r.value();
            case GgufValue v -> throw wrongType(key, v, "a float");
        };
    }

    public double real(String key, double fallback) throws GgufException {
        return contains(key) ? real(key) : fallback;
    }

    public boolean bool(String key, boolean fallback) throws GgufException {
        if (!contains(key)) {
            return fallback;
        }
        return switch (require(key)) {
            case GgufValue.Bool b -> b.value();
            case GgufValue v -> throw wrongType(key, v, "a bool");
        };
    }

    public GgufArray array(String key) throws GgufException {
        return switch (require(key)) {
            case GgufArray a -> a;
            case GgufValue v -> throw wrongType(key, v, "an array");
        };
    }

    /** A string array. */
    public List<String> strings(String key) throws GgufException {
        GgufArray a = array(key);
        if (a.elementType() != GgufValueType.STRING) {
            throw new GgufException(file, key + " is an array of " + a.elementType() + ", not of strings");
        }
        return a.strings();
    }

    private GgufValue require(String key) throws GgufException {
        GgufValue v = values.get(key);
        if (v == null) {
            throw new GgufException(file, "metadata key " + key + " is missing");
        }
        return v;
    }

    private GgufException wrongType(String key, GgufValue v, String wanted) {
        String what = v instanceof GgufArray a ? "an array of " + a.elementType() : "a " + v.type();
        return new GgufException(file, "metadata key " + key + " is " + what + ", not " + wanted);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
