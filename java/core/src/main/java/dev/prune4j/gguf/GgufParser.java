package dev.prune4j.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates the header of a GGUF file (versions 2 and 3, little-endian) from its mapped
 * bytes. The checks are ggml's own ({@code gguf.cpp}), so what opens here also loads in llama.cpp:
 * known value and tensor types, no duplicate keys or tensor names, at most four dimensions, rows a
 * whole number of blocks, a power-of-two {@code general.alignment}, and tensors that follow one
 * another in file order, each padded to the alignment.
 *
 * <p>Every count and length in the file is checked against the bytes that are left before
 * anything is allocated for it, so a lying count is an error, never a huge allocation; every sum
 * and product is exact, so overflow is an error too.
 */
final class GgufParser {
    static final int DEFAULT_ALIGNMENT = 32;
    static final String ALIGNMENT_KEY = "general.alignment";
    static final int MAX_DIMS = 4;
    /** The GGUF specification's limit on a tensor name. */
    static final int MAX_NAME_BYTES = 64;
    /** Arrays of arrays are legal GGUF; this bounds the recursion a hostile file could ask for. */
    static final int MAX_ARRAY_DEPTH = 8;
    private static final byte[] MAGIC = {'G', 'G', 'U', 'F'};
    /** Fewest bytes of one metadata entry (key length, value type, a one-byte value). */
    private static final int MIN_KV_BYTES = 8 + 4 + 1;
    /** Fewest bytes of one tensor info (name length, dimension count, type, offset). */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** What the header says: the data section starts at {@code dataStart}, a multiple of {@code alignment}. */
    record Header(int version, GgufMetadata metadata, List<GgufTensorInfo> tensors, int alignment, long dataStart) {}

    private final Path file;
    private final MemorySegment bytes;
    private final long size;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private long pos;

    private GgufParser(Path file, MemorySegment bytes) {
        this.file = file;
        this.bytes = bytes;
        this.size = bytes.byteSize();
    }

    /** Parses the header of the GGUF file {@code file} whose whole content is {@code bytes}. */
    static Header parse(Path file, MemorySegment bytes) throws GgufException {
        return new GgufParser(file, bytes).header();
    }

    private Header header() throws GgufException {
        if (size < 4 || !Arrays.equals(bytes.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE), MAGIC)) {
            throw new GgufException(file, "not a GGUF file: it does not start with the magic bytes 'GGUF'");
        }
        pos = 4;
        int version = readInt("the version");
        if ((version & 0xFFFF) == 0 && version != 0) {
            throw new GgufException(file, "GGUF version " + Integer.toUnsignedString(version)
                    + " reads as a big-endian file, which prune4j does not read");
        }
        if (version == 1) {
            throw new GgufException(file, "GGUF version 1 is not supported (only versions 2 and 3)");
        }
        if (version < 2 || version > 3) {
            throw new GgufException(file, "unknown GGUF version " + Integer.toUnsignedString(version)
                    + " (only versions 2 and 3 are supported)");
        }
        long tensorCount = readCount("the tensor count", MIN_TENSOR_INFO_BYTES);
        long kvCount = readCount("the metadata count", MIN_KV_BYTES);
        GgufMetadata metadata = new GgufMetadata(file, readMetadata(kvCount));
        int alignment = alignment(metadata);
        List<GgufTensorInfo> tensors = readTensorInfos(tensorCount, alignment);
        long dataStart = pad(pos, alignment, null);
        for (GgufTensorInfo t : tensors) {
            // Offsets grow by each tensor's padded size, so a sum may pass 2^63 only past the file's end.
            long end = dataStart + t.offset() + t.bytes();
            if (end < 0 || end > size) {
                throw new GgufException(file, t.name(), "bytes [" + (dataStart + t.offset()) + ", " + end
                        + ") lie beyond the end of the file at " + size + " (truncated?)");
            }
        }
        return new Header(version, metadata, tensors, alignment, dataStart);
    }

    // ------------------------------------------------------------------ counts and primitives

    private long left() {
        return size - pos;
    }

    private void need(long n, String what) throws GgufException {
        if (n > left()) {
            throw new GgufException(file, "file ends inside " + what + " at byte " + pos + " (" + n
                    + " bytes needed, " + left() + " left; truncated?)");
        }
    }

    private int readInt(String what) throws GgufException {
        need(4, what);
        int v = bytes.get(U32, pos);
        pos += 4;
        return v;
    }

    private long readLong(String what) throws GgufException {
        need(8, what);
        long v = bytes.get(U64, pos);
        pos += 8;
        return v;
    }

    /** A u64 count of things each at least {@code minBytes} long: it must fit in what is left of the file. */
    private long readCount(String what, int minBytes) throws GgufException {
        long n = readLong(what);
        if (n < 0 || n > left() / minBytes) {
            throw new GgufException(file, what + " " + Long.toUnsignedString(n) + " cannot be right: " + left()
                    + " bytes are left, enough for at most " + left() / minBytes);
        }
        return n;
    }

    private String readString(String what, long maxBytes) throws GgufException {
        long length = readLong("the length of " + what);
        if (length < 0 || length > left()) {
            throw new GgufException(file, what + " claims " + Long.toUnsignedString(length) + " bytes but only "
                    + left() + " are left in the file");
        }
        if (length > maxBytes) {
            throw new GgufException(file, what + " is " + length + " bytes long, more than the " + maxBytes
                    + " GGUF allows");
        }
        byte[] b = bytes.asSlice(pos, length).toArray(ValueLayout.JAVA_BYTE);
        pos += length;
        if (ascii(b)) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }
        try {
            return utf8.decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new GgufException(file, what + " is not valid UTF-8");
        }
    }

    private static boolean ascii(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code offset} rounded up to a multiple of {@code alignment}, exactly. */
    private long pad(long offset, int alignment, String tensor) throws GgufException {
        long padded = Math.addExact(offset, alignment - 1L) & -(long) alignment;
        if (padded < 0) {
            throw new GgufException(file, tensor, "offset " + offset + " overflows when padded to " + alignment);
        }
        return padded;
    }

    // ------------------------------------------------------------------ metadata

    private Map<String, GgufValue> readMetadata(long count) throws GgufException {
        Map<String, GgufValue> out = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            String key = readString("metadata key #" + i, Long.MAX_VALUE);
            if (out.containsKey(key)) {
                throw new GgufException(file, "metadata key " + key + " appears twice");
            }
            int typeId = readInt("the type of metadata key " + key);
            out.put(key, readValue(valueType(typeId, "metadata key " + key), "metadata key " + key, 0));
        }
        return out;
    }

    private GgufValueType valueType(int id, String what) throws GgufException {
        return GgufValueType.fromId(Integer.toUnsignedLong(id)).orElseThrow(() -> new GgufException(file,
                what + " has unknown value type " + Integer.toUnsignedString(id)));
    }

    private GgufValue readValue(GgufValueType type, String what, int depth) throws GgufException {
        return switch (type) {
            case STRING -> new GgufValue.Text(readString(what, Long.MAX_VALUE));
            case ARRAY -> readArray(what, depth + 1);
            case BOOL -> new GgufValue.Bool(readInteger(type, what) != 0);
            case FLOAT32, FLOAT64 -> new GgufValue.Real(type, readReal(type, what));
            default -> new GgufValue.Int(type, readInteger(type, what));
        };
    }

    private long readInteger(GgufValueType type, String what) throws GgufException {
        need(type.fixedBytes(), what);
        long v = switch (type) {
            case UINT8 -> Byte.toUnsignedLong(bytes.get(ValueLayout.JAVA_BYTE, pos));
            case INT8 -> bytes.get(ValueLayout.JAVA_BYTE, pos);
            case BOOL -> {
                byte b = bytes.get(ValueLayout.JAVA_BYTE, pos);
                if (b != 0 && b != 1) {
                    throw new GgufException(file, what + " is a bool of value " + Byte.toUnsignedInt(b)
                            + ", not 0 or 1");
                }
                yield b;
            }
            case UINT16 -> Short.toUnsignedLong(bytes.get(U16, pos));
            case INT16 -> bytes.get(U16, pos);
            case UINT32 -> Integer.toUnsignedLong(bytes.get(U32, pos));
            case INT32 -> bytes.get(U32, pos);
            case UINT64, INT64 -> bytes.get(U64, pos);
            default -> throw new IllegalStateException(type + " is not an integer type");
        };
        pos += type.fixedBytes();
        return v;
    }

    private double readReal(GgufValueType type, String what) throws GgufException {
        need(type.fixedBytes(), what);
        double v = type == GgufValueType.FLOAT32 ? bytes.get(F32, pos) : bytes.get(F64, pos);
        pos += type.fixedBytes();
        return v;
    }

    private GgufArray readArray(String what, int depth) throws GgufException {
        if (depth > MAX_ARRAY_DEPTH) {
            throw new GgufException(file, what + " nests arrays more than " + MAX_ARRAY_DEPTH + " deep");
        }
        GgufValueType type = valueType(readInt("the element type of " + what), what + "'s elements");
        long n = readLong("the length of " + what);
        long fits = left() / type.minimumBytes();
        if (n < 0 || n > fits || n > Integer.MAX_VALUE - 8) {
            throw new GgufException(file, what + " claims " + Long.toUnsignedString(n) + " elements of " + type
                    + " but the " + left() + " bytes left in the file hold at most " + fits);
        }
        int count = (int) n;
        switch (type) {
            case STRING -> {
                String[] s = new String[count];
                for (int i = 0; i < count; i++) {
                    s[i] = readString(what + "[" + i + "]", Long.MAX_VALUE);
                }
                return GgufArray.ofStrings(s);
            }
            case ARRAY -> {
                GgufArray[] a = new GgufArray[count];
                for (int i = 0; i < count; i++) {
                    a[i] = readArray(what + "[" + i + "]", depth + 1);
                }
                return GgufArray.ofArrays(a);
            }
            case FLOAT32, FLOAT64 -> {
                double[] d = new double[count];
                for (int i = 0; i < count; i++) {
                    d[i] = readReal(type, what);
                }
                return GgufArray.ofReals(type, d);
            }
            default -> {
                long[] v = new long[count];
                for (int i = 0; i < count; i++) {
                    v[i] = readInteger(type, what + "[" + i + "]");
                }
                return GgufArray.ofIntegers(type, v);
            }
        }
    }

    private int alignment(GgufMetadata metadata) throws GgufException {
        GgufValue v = metadata.asMap().get(ALIGNMENT_KEY);
        if (v == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (!(v instanceof GgufValue.Int i)) {
            throw new GgufException(file, ALIGNMENT_KEY + " is a " + v.type() + ", not an integer");
        }
        long a = i.bits();
        if (!i.fitsLong() || a <= 0 || a > (1 << 30) || Long.bitCount(a) != 1) {
            throw new GgufException(file, ALIGNMENT_KEY + " = " + i + " is not a power of two in [1, 2^30]");
        }
        return (int) a;
    }

    // ------------------------------------------------------------------ tensor infos

    private List<GgufTensorInfo> readTensorInfos(long count, int alignment) throws GgufException {
        List<GgufTensorInfo> out = new ArrayList<>((int) Math.min(count, 1 << 16));
        Set<String> names = new HashSet<>();
        long expectedOffset = 0;
        for (long i = 0; i < count; i++) {
            String name = readString("the name of tensor #" + i, MAX_NAME_BYTES);
            if (!names.add(name)) {
                throw new GgufException(file, name, "appears twice among the tensors");
            }
            GgufTensorInfo t = readTensorInfo(name);
            if (t.offset() != expectedOffset) {
                throw new GgufException(file, name, "data offset " + Long.toUnsignedString(t.offset()) + " should be "
                        + expectedOffset + ": tensors follow one another in file order, each padded to "
                        + alignment + " bytes");
            }
            if (t.bytes() > Long.MAX_VALUE / 2 - expectedOffset) {
                throw new GgufException(file, name, t.bytes() + " bytes at offset " + expectedOffset
                        + " overflow the data section");
            }
            expectedOffset = pad(expectedOffset + t.bytes(), alignment, name);
            out.add(t);
        }
        return out;
    }

    private GgufTensorInfo readTensorInfo(String name) throws GgufException {
        int rank = readInt("the dimension count of tensor " + name);
        if (rank < 0 || rank > MAX_DIMS) {
            throw new GgufException(file, name, "has " + Integer.toUnsignedString(rank)
                    + " dimensions; GGUF allows at most " + MAX_DIMS);
        }
        long[] dims = new long[rank];
        long numel = 1;
        for (int d = 0; d < rank; d++) {
            dims[d] = readLong("dimension " + d + " of tensor " + name);
            if (dims[d] < 0) {
                throw new GgufException(file, name, "dimension " + d + " is " + Long.toUnsignedString(dims[d])
                        + ", beyond a signed 64-bit count");
            }
            try {
                numel = Math.multiplyExact(numel, dims[d]);
            } catch (ArithmeticException e) {
                throw new GgufException(file, name, "dimensions " + Arrays.toString(Arrays.copyOf(dims, d + 1))
                        + " overflow a 64-bit element count");
            }
        }
        int typeId = readInt("the type of tensor " + name);
        GgmlType type = GgmlType.fromId(Integer.toUnsignedLong(typeId)).orElseThrow(() -> new GgufException(file,
                name, "has unknown ggml type id " + Integer.toUnsignedString(typeId)));
        long rowLength = rank == 0 ? 1 : dims[0];
        if (rowLength % type.blockSize() != 0) {
            throw new GgufException(file, name, "rows of " + rowLength + " elements are not a whole number of "
                    + type + " blocks of " + type.blockSize());
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(numel / type.blockSize(), (long) type.blockBytes());
        } catch (ArithmeticException e) {
            throw new GgufException(file, name, type + Arrays.toString(dims) + " overflows a 64-bit byte count");
        }
        long offset = readLong("the data offset of tensor " + name);
        return new GgufTensorInfo(name, type, dims, offset, bytes);
    }
}
