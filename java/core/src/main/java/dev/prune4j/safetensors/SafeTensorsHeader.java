package dev.prune4j.safetensors;

import dev.prune4j.internal.json.Json;
import dev.prune4j.tensor.DType;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a safetensors file: its tensor entries in data-offset order and its
 * optional {@code __metadata__}.
 *
 * <p>{@link #parse} accepts exactly the headers the reference implementation (the Rust
 * {@code safetensors} crate, 0.6) accepts, with two deliberate exceptions: duplicate JSON keys are
 * refused (the reference keeps the last one silently) and dtypes prune4j has no type for (F4, F6,
 * F8_E8M0) are refused by name. As in the reference, the entries sorted by {@code data_offsets}
 * must tile the data buffer exactly: first at 0, each starting where the previous ended, the last
 * ending at the end of the file; so holes, overlaps and trailing bytes are all errors.
 *
 * <p>{@link #encode} writes the header as the reference does: compact JSON with serde_json's
 * escapes, {@code __metadata__} first, then the tensors in the order of {@link #layout}, padded
 * with spaces to a multiple of 8 bytes. The one difference is the order of metadata keys: the
 * reference writes them in hash order, which changes from run to run, and we sort them so that
 * output is reproducible. With at most one metadata key the files are byte-identical.
 */
public final class SafeTensorsHeader {
    /** Bytes of the little-endian u64 that precedes the header. */
    public static final int LENGTH_PREFIX = 8;
    /** The largest header the reference reads (100 MB), and so the largest we read or write. */
    public static final long MAX_HEADER_SIZE = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    /** Names the reference knows that have no {@link DType} here; refused with a specific message. */
    private static final Set<String> KNOWN_UNSUPPORTED = Set.of("F4", "F6_E2M3", "F6_E3M2", "F8_E8M0", "C64");

    /** Strings are ordered as Rust orders them: by their UTF-8 bytes. */
    static final Comparator<String> UTF8_ORDER =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private final List<TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafeTensorsHeader(List<TensorInfo> tensors, Map<String, String> metadata) {
        this.tensors = List.copyOf(tensors);
        this.metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Tensor entries sorted by data offsets (ties by name), i.e. in the order of their bytes. */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} map in header order; empty when absent. */
    public Map<String, String> metadata() {
        return metadata;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Parses and validates a header.
     *
     * @param file     the file it came from, for messages
     * @param header   the header's bytes (without the length prefix)
     * @param dataSize bytes in the file after the header
     */
    public static SafeTensorsHeader parse(Path file, byte[] header, long dataSize) throws SafeTensorsException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file, "header is not valid UTF-8");
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (Json.JsonException e) {
            throw new SafeTensorsException(file, "header is not valid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> entries)) {
            throw new SafeTensorsException(file, "header is not a JSON object but " + kind(root));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>(entries.size());
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String name = (String) e.getKey();
            requireWellFormed(file, name, name);
            if (name.equals(METADATA_KEY)) {
                readMetadata(file, e.getValue(), metadata);
            } else {
                tensors.add(readEntry(file, name, e.getValue(), dataSize));
            }
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end)
                .thenComparing(TensorInfo::name, UTF8_ORDER));
        checkTiling(file, tensors, dataSize);
        return new SafeTensorsHeader(tensors, metadata);
    }

    private static void readMetadata(Path file, Object value, Map<String, String> out) throws SafeTensorsException {
        if (value == null) {
            return; // the reference reads null as "no metadata"
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new SafeTensorsException(file, METADATA_KEY + " is not a JSON object but " + kind(value));
        }
        for (Map.Entry<?, ?> m : map.entrySet()) {
            if (!(m.getValue() instanceof String s)) {
                throw new SafeTensorsException(file, METADATA_KEY + " value of key '" + m.getKey()
                        + "' is not a string but " + kind(m.getValue()));
            }
            requireWellFormed(file, null, (String) m.getKey());
            requireWellFormed(file, null, s);
            out.put((String) m.getKey(), s);
        }
    }

    /**
     * JSON's backslash-u escapes can spell a lone UTF-16 surrogate, which is no Unicode text; the
     * reference refuses it, and so do we.
     */
    private static void requireWellFormed(Path file, String tensor, String s) throws SafeTensorsException {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new SafeTensorsException(file, tensor, "header string holds a lone surrogate \\u"
                        + Integer.toHexString(c));
            }
        }
    }

    private static TensorInfo readEntry(Path file, String name, Object value, long dataSize)
            throws SafeTensorsException {
        if (!(value instanceof Map<?, ?> entry)) {
            throw new SafeTensorsException(file, name, "header entry is not a JSON object but " + kind(value));
        }
        // Other keys are ignored, as the reference ignores them.
        DType dtype = readDType(file, name, entry.get("dtype"));
        long[] shape = readLongs(file, name, "shape", entry.get("shape"), -1);
        long[] offsets = readLongs(file, name, "data_offsets", entry.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new SafeTensorsException(file, name, "data_offsets " + Arrays.toString(offsets)
                    + " end before they begin");
        }
        long expected = expectedBytes(file, name, dtype, shape);
        if (end - begin != expected) {
            throw new SafeTensorsException(file, name, "shape " + Arrays.toString(shape) + " of " + dtype
                    + " needs " + expected + " bytes but data_offsets " + Arrays.toString(offsets)
                    + " hold " + (end - begin));
        }
        if (end > dataSize) {
            throw new SafeTensorsException(file, name, "data_offsets " + Arrays.toString(offsets)
                    + " lie outside the data buffer of " + dataSize + " bytes (file truncated?)");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static DType readDType(Path file, String name, Object value) throws SafeTensorsException {
        if (!(value instanceof String s)) {
            throw new SafeTensorsException(file, name, value == null ? "missing \"dtype\""
                    : "\"dtype\" is not a string but " + kind(value));
        }
        if (KNOWN_UNSUPPORTED.contains(s)) {
            throw new SafeTensorsException(file, name, "dtype '" + s + "' is not supported by prune4j");
        }
        return DType.fromSafetensorsName(s).orElseThrow(
                () -> new SafeTensorsException(file, name, "unknown dtype '" + s + "'"));
    }

    private static long[] readLongs(Path file, String name, String key, Object value, int length)
            throws SafeTensorsException {
        if (value == null) {
            throw new SafeTensorsException(file, name, "missing \"" + key + "\"");
        }
        String want = length < 0 ? "a list of non-negative integers" : "a list of " + length + " non-negative integers";
        if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
            throw new SafeTensorsException(file, name, "\"" + key + "\" must be " + want + ", got " + Json.write(value));
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = list.get(i);
            if (!(v instanceof Long l) || l < 0) {
                String why = v instanceof BigInteger ? " (too large)" : "";
                throw new SafeTensorsException(file, name, "\"" + key + "\" must be " + want + ", got "
                        + Json.write(value) + why);
            }
            out[i] = l;
        }
        return out;
    }

    private static long expectedBytes(Path file, String name, DType dtype, long[] shape) throws SafeTensorsException {
        try {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return Math.multiplyExact(n, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafeTensorsException(file, name, "shape " + Arrays.toString(shape) + " of " + dtype
                    + " overflows a 64-bit byte count");
        }
    }

    /** The reference's rule: sorted by offsets, the tensors cover the data buffer with no gap or overlap. */
    private static void checkTiling(Path file, List<TensorInfo> sorted, long dataSize) throws SafeTensorsException {
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < covered) {
                throw new SafeTensorsException(file, t.name(), "bytes [" + t.begin() + ", " + t.end()
                        + ") overlap tensor '" + previous.name() + "' at [" + previous.begin() + ", "
                        + previous.end() + ")");
            }
            if (t.begin() > covered) {
                throw new SafeTensorsException(file, t.name(), "hole of " + (t.begin() - covered)
                        + " bytes in the data buffer before this tensor's bytes [" + t.begin() + ", " + t.end()
                        + ")" + (previous == null ? "" : " (tensor '" + previous.name() + "' ends at " + covered + ")"));
            }
            covered = t.end();
            previous = t;
        }
        if (covered != dataSize) {
            throw new SafeTensorsException(file, "data buffer holds " + dataSize + " bytes but the tensors cover "
                    + covered + " (" + (dataSize - covered) + " trailing bytes)");
        }
    }

    private static String kind(Object v) {
        return switch (v) {
            case null -> "null";
            case Map<?, ?> m -> "an object";
            case List<?> l -> "an array";
            case String s -> "a string";
            case Boolean b -> "a boolean";
            default -> "a number";
        };
    }

    // ------------------------------------------------------------------ writing

    /**
     * Places tensors in a data buffer as the reference writer does: by dtype alignment, largest
     * first, then by name (UTF-8 byte order); each tensor starts where the previous one ended.
     * Files written by prune4j and by Python are therefore laid out alike.
     *
     * @throws IllegalArgumentException on a duplicate or reserved name
     */
    public static SafeTensorsHeader layout(List<TensorSpec> specs, Map<String, String> metadata) {
        List<TensorSpec> sorted = new ArrayList<>(specs);
        sorted.sort(Comparator.comparingInt((TensorSpec s) -> -referenceRank(s.dtype()))
                .thenComparing(TensorSpec::name, UTF8_ORDER));
        Set<String> seen = new HashSet<>();
        List<TensorInfo> infos = new ArrayList<>(sorted.size());
        long offset = 0;
        for (TensorSpec s : sorted) {
            if (s.name().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved and cannot name a tensor");
            }
            if (!seen.add(s.name())) {
                throw new IllegalArgumentException("tensor '" + s.name() + "' is declared twice");
            }
            long end = Math.addExact(offset, s.byteSize());
            infos.add(new TensorInfo(s.name(), s.dtype(), s.shape(), offset, end));
            offset = end;
        }
        Map<String, String> meta = new java.util.TreeMap<>(UTF8_ORDER);
        meta.putAll(metadata);
        return new SafeTensorsHeader(infos, meta);
    }

    /**
     * Position of a dtype in the reference's {@code Dtype} enum, which is declared in increasing
     * alignment and decides the order of tensors in files it writes (BOOL, F4, F6_E2M3, F6_E3M2, U8,
     * I8, F8_E5M2, F8_E4M3, F8_E8M0, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64).
     */
    static int referenceRank(DType t) {
        return switch (t) {
            case BOOL -> 0;
            case U8 -> 4;
            case I8 -> 5;
            case F8_E5M2 -> 6;
            case F8_E4M3 -> 7;
            case I16 -> 9;
            case U16 -> 10;
            case F16 -> 11;
            case BF16 -> 12;
            case I32 -> 13;
            case U32 -> 14;
            case F32 -> 15;
            case F64 -> 16;
            case I64 -> 17;
            case U64 -> 18;
        };
    }

    /** Bytes of the data buffer: the end of the last tensor. */
    public long dataSize() {
        return tensors.isEmpty() ? 0 : tensors.getLast().end();
    }

    /** The header as the reference serialises it, padded with spaces to a multiple of 8 bytes. */
    public byte[] encode() {
        StringBuilder sb = new StringBuilder(64 + 96 * tensors.size());
        sb.append('{');
        boolean first = true;
        if (!metadata.isEmpty()) {
            Json.quote(METADATA_KEY, sb);
            sb.append(":{");
            boolean firstKey = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                if (!firstKey) {
                    sb.append(',');
                }
                firstKey = false;
                Json.quote(m.getKey(), sb);
                sb.append(':');
                Json.quote(m.getValue(), sb);
            }
            sb.append('}');
            first = false;
        }
        for (TensorInfo t : tensors) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            Json.quote(t.name(), sb);
            sb.append(":{\"dtype\":\"").append(t.dtype().safetensorsName()).append("\",\"shape\":[");
            long[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(shape[i]);
            }
            sb.append("],\"data_offsets\":[").append(t.begin()).append(',').append(t.end()).append("]}");
        }
        sb.append('}');
        byte[] json = utf8(sb.toString());
        int padded = (json.length + 7) & ~7;
        if (padded > MAX_HEADER_SIZE) {
            throw new IllegalArgumentException("header of " + padded + " bytes exceeds the limit of "
                    + MAX_HEADER_SIZE + " bytes that readers accept");
        }
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static byte[] utf8(String s) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(java.nio.CharBuffer.wrap(s));
            return Arrays.copyOf(b.array(), b.limit());
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("a tensor name or metadata string is not valid Unicode "
                    + "(unpaired surrogate)", e);
        }
    }

}
