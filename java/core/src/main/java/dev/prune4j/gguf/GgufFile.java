package dev.prune4j.gguf;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (llama.cpp's model format) mapped read-only into memory. Opening it parses and
 * validates the whole header (metadata and tensor infos, see {@link GgufParser}); tensors are then
 * read from the mapping on demand: as raw bytes, as zero-copy {@link Tensor} views for the plain
 * float types, or dequantised to F32 for the types of {@link GgmlType#dequantizable()}.
 *
 * <pre>{@code
 * try (GgufFile gguf = GgufFile.open(path)) {
 *     int layers = (int) gguf.metadata().integer("llama.block_count");
 *     float[] norm = gguf.toFloatArray("output_norm.weight");
 * }
 * }</pre>
 *
 * <p>Shapes of the returned tensors are row-major (PyTorch's order): a ggml tensor of dims
 * {@code [576, 1536]} becomes a {@code [1536, 576]} tensor. The mapping lives in a shared arena:
 * views may be read from any thread until {@link #close()}.
 */
public final class GgufFile implements AutoCloseable {
    /** Rows dequantised per bulk copy into an off-heap tensor. */
    private static final int CHUNK_ELEMENTS = 1 << 16;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment file;
    private final GgufParser.Header header;
    private final Map<String, GgufTensorInfo> byName = new HashMap<>();
    private volatile boolean closed;

    private GgufFile(Path path, Arena arena, MemorySegment file, GgufParser.Header header) {
        this.path = path;
        this.arena = arena;
        this.file = file;
        this.header = header;
        for (GgufTensorInfo t : header.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /** Maps {@code path} read-only and validates its header. */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new GgufFile(path, arena, file, GgufParser.parse(path, file));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * A GGUF file already in memory ({@code file}, owned by {@code arena}, which {@link #close}
     * closes), validated as {@link #open} does; {@code path} names it in errors. For the fuzz target.
     */
    static GgufFile of(Path path, Arena arena, MemorySegment file) throws GgufException {
        return new GgufFile(path, arena, file, GgufParser.parse(path, file));
    }

    public Path path() {
        return path;
    }

    /** The GGUF version, 2 or 3. */
    public int version() {
        return header.version();
    }

    public GgufMetadata metadata() {
        return header.metadata();
    }

    /** {@code general.alignment}, or the default of 32. */
    public int alignment() {
        return header.alignment();
    }

    /** Where the data section starts in the file. */
    public long dataOffset() {
        return header.dataStart();
    }

    /** Tensor infos in file order. */
    public List<GgufTensorInfo> tensors() {
        return header.tensors();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The info of tensor {@code name}; an error naming the file when there is none. */
    public GgufTensorInfo info(String name) throws GgufException {
        GgufTensorInfo t = byName.get(name);
        if (t == null) {
            throw new GgufException(path, name, "no such tensor in this file");
        }
        return t;
    }

    /** The tensor's bytes as stored (blocks for quantised types), a read-only view of the mapping. */
    public MemorySegment bytes(String name) throws GgufException {
        GgufTensorInfo t = info(name);
        requireOpen();
        return file.asSlice(header.dataStart() + t.offset(), t.bytes()).asReadOnly();
    }

    /** A zero-copy view of an F32, F16 or BF16 tensor (row-major shape). */
    public Tensor view(String name) throws GgufException {
        GgufTensorInfo t = info(name);
        DType dtype = switch (t.type()) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            case BF16 -> DType.BF16;
            default -> throw new GgufException(path, name, "is " + t.type()
                    + ", which has no plain element view; dequantise it with toF32");
        };
        return new Tensor(name, dtype, t.shape(), bytes(name));
    }

    /** The tensor dequantised to a new F32 tensor in {@code arena} (row-major shape). */
    public Tensor toF32(String name, Arena arena) throws GgufException {
        GgufTensorInfo t = dequantizable(name);
        Tensor out = Tensor.allocate(arena, name, DType.F32, t.shape());
        long rowLength = t.rowLength();
        if (t.numel() == 0) {
            return out;
        }
        int rowsPerChunk = (int) Math.max(1, CHUNK_ELEMENTS / rowLength);
        float[] buffer = new float[Math.toIntExact(rowsPerChunk * rowLength)];
        for (long row = 0; row < t.rows(); row += rowsPerChunk) {
            int rows = (int) Math.min(rowsPerChunk, t.rows() - row);
            dequantizeRows(name, row, rows, buffer, 0);
            MemorySegment.copy(buffer, 0, out.data(), F32, row * rowLength * Float.BYTES, (int) (rows * rowLength));
        }
        return out;
    }

    /** The tensor dequantised to a new float array (row-major). */
    public float[] toFloatArray(String name) throws GgufException {
        GgufTensorInfo t = dequantizable(name);
        if (t.numel() > Integer.MAX_VALUE - 8) {
            throw new GgufException(path, name, "has " + t.numel() + " elements, too many for a float[]");
        }
        float[] out = new float[(int) t.numel()];
        if (out.length > 0) {
            dequantizeRows(name, 0, Math.toIntExact(t.rows()), out, 0);
        }
        return out;
    }

    /**
     * Dequantises rows {@code [firstRow, firstRow + rowCount)} (a row is {@code dims[0]} elements)
     * into {@code dst} from {@code offset} on.
     */
    public void dequantizeRows(String name, long firstRow, int rowCount, float[] dst, int offset) throws GgufException {
        GgufTensorInfo t = dequantizable(name);
        if (firstRow < 0 || rowCount < 0 || firstRow + rowCount > t.rows()) {
            throw new IndexOutOfBoundsException(name + ": rows [" + firstRow + ", " + (firstRow + rowCount)
                    + ") of " + t.rows());
        }
        long elements = rowCount * t.rowLength();
        if (offset < 0 || offset + elements > dst.length) {
            throw new IndexOutOfBoundsException(name + ": " + elements + " values do not fit in " + dst.length
                    + " floats from " + offset);
        }
        requireOpen();
        long from = header.dataStart() + t.offset() + firstRow * t.type().rowBytes(t.rowLength());
        GgmlDequantizer.dequantize(t.type(), file, from, dst, offset, (int) elements);
    }

    private GgufTensorInfo dequantizable(String name) throws GgufException {
        GgufTensorInfo t = info(name);
        if (!t.type().dequantizable()) {
            throw new GgufException(path, name, "has type " + t.type() + ", which prune4j cannot dequantise"
                    + " (it reads F32, F16, BF16, Q8_0, Q4_0 and Q4_1)");
        }
        return t;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
    }

    /** Unmaps the file; views handed out before become unusable. Closing twice is harmless. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", v" + version() + ", " + tensors().size() + " tensors]";
    }
}
