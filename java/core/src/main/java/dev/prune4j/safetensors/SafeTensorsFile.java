package dev.prune4j.safetensors;

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
 * A safetensors file mapped read-only into memory. Opening it parses and validates the whole
 * header (see {@link SafeTensorsHeader}); {@link #tensor} then hands out zero-copy views on the
 * mapping, so reading a checkpoint larger than RAM costs only page cache.
 *
 * <p>The mapping lives in a shared arena: views may be read from any thread until {@link #close()},
 * after which touching them throws {@link IllegalStateException}. The file is never opened for
 * writing, and the views are read-only.
 */
public final class SafeTensorsFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final SafeTensorsHeader header;
    private final Map<String, TensorInfo> byName;
    private volatile boolean closed;

    private SafeTensorsFile(Path path, Arena arena, MemorySegment data, SafeTensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.header = header;
        this.byName = new HashMap<>();
        for (TensorInfo t : header.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /** Maps {@code path} read-only and validates its header. */
    public static SafeTensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            int prefix = SafeTensorsHeader.LENGTH_PREFIX;
            if (size < prefix) {
                throw new SafeTensorsException(path, "file is " + size
                        + " bytes, too short for the 8-byte header length (truncated?)");
            }
            MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLength = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            // A u64 above Long.MAX_VALUE reads as negative here; it is over the limit all the same.
            if (headerLength < 0 || headerLength > SafeTensorsHeader.MAX_HEADER_SIZE) {
                throw new SafeTensorsException(path, "header length " + Long.toUnsignedString(headerLength)
                        + " exceeds the limit of " + SafeTensorsHeader.MAX_HEADER_SIZE + " bytes");
            }
            if (headerLength > size - prefix) {
                throw new SafeTensorsException(path, "header length " + headerLength
                        + " is larger than the " + (size - prefix) + " bytes that follow it (truncated?)");
            }
            byte[] headerBytes = file.asSlice(prefix, headerLength).toArray(ValueLayout.JAVA_BYTE);
            long dataStart = prefix + headerLength;
            SafeTensorsHeader header = SafeTensorsHeader.parse(path, headerBytes, size - dataStart);
            return new SafeTensorsFile(path, arena, file.asSlice(dataStart), header);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Header entries in the order of their bytes in the file. */
    public List<TensorInfo> tensors() {
        return header.tensors();
    }

    /** The header's {@code __metadata__} (empty when it has none). */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The entry for {@code name}; an error naming the file when there is none. */
    public TensorInfo info(String name) throws SafeTensorsException {
        TensorInfo t = byName.get(name);
        if (t == null) {
            throw new SafeTensorsException(path, name, "no such tensor in this file");
        }
        return t;
    }

    /** A read-only view of tensor {@code name}'s bytes in the mapping (no copy). */
    public Tensor tensor(String name) throws SafeTensorsException {
        TensorInfo t = info(name);
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), data.asSlice(t.begin(), t.byteSize()));
    }

    /** Bytes of the data buffer (the file after the header). */
    public long dataSize() {
        return data.byteSize();
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
        return "SafeTensorsFile[" + path + ", " + header.tensors().size() + " tensors]";
    }
}
