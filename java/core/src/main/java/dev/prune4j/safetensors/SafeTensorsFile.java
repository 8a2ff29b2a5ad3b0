package dev.prune4j.safetensors;

import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
    private final long openedSize;
    private volatile boolean closed;

    private SafeTensorsFile(Path path, Arena arena, MemorySegment data, SafeTensorsHeader header, long openedSize) {
        this.path = path;
        this.openedSize = openedSize;
        this.arena = arena;
        this.data = data;
        this.header = header;
        this.byName = new HashMap<>();
        for (TensorInfo t : header.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /**
     * Maps {@code path} read-only and validates its header. A folder, a device or a pipe is refused
     * by name (mapping a folder fails with "No such device"; opening a pipe waits for a writer).
     */
    public static SafeTensorsFile open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new SafeTensorsException(path, "is a folder, not a safetensors file");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            throw new SafeTensorsException(path, "is not a regular file (a device or a pipe?)");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            MemorySegment file = size == 0 ? MemorySegment.ofArray(new byte[0])
                    : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return of(path, arena, file);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Validates {@code file}, the whole content of a safetensors file (a mapping, or memory filled
     * some other way), and keeps views on it; {@code path} names it in messages. Closing the result
     * closes {@code arena}.
     */
    static SafeTensorsFile of(Path path, Arena arena, MemorySegment file) throws SafeTensorsException {
        long size = file.byteSize();
        int prefix = SafeTensorsHeader.LENGTH_PREFIX;
        if (size < prefix) {
            throw new SafeTensorsException(path, "file is " + size
                    + " bytes, too short for the 8-byte header length (truncated?)");
        }
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
        return new SafeTensorsFile(path, arena, file.asSlice(dataStart), header, size);
    }

    /**
     * Why reading the mapping may fault: the file became shorter than it was when opened (a
     * mapped page past the end of a file reads as a fault, not as zeros). Empty when it did not.
     */
    public Optional<String> shrunk() {
        try {
            long now = Files.size(path);
            return now < openedSize
                    ? Optional.of("was truncated while being read: " + now + " bytes now, " + openedSize + " when opened")
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // deleted or renamed: the mapping still holds the old file's pages
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
