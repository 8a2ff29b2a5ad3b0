package dev.prune4j.safetensors;

import dev.prune4j.io.AtomicFiles;
import dev.prune4j.io.AtomicFiles.Existing;
import dev.prune4j.io.FreeSpace;
import dev.prune4j.io.IoErrors;
import dev.prune4j.io.TemporaryFiles;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one safetensors file, streaming: the tensors and metadata are declared up front, which
 * fixes the header and every tensor's place; the output (a temporary file beside the target) is
 * then mapped read-write and each tensor is filled through a {@link Tensor} view on it, in any
 * order and from any thread. {@link #commit()} flushes the mapping and moves the file into place
 * atomically; {@link #close()} without a commit deletes the temporary file. Nothing but the
 * mapping is held in memory, so a file larger than RAM can be written tensor by tensor.
 *
 * <pre>{@code
 * try (SafeTensorsWriter w = SafeTensorsWriter.create(target, specs, Map.of("format", "pt"))) {
 *     for (TensorInfo t : w.tensors()) {
 *         fill(w.tensor(t.name()));
 *     }
 *     w.commit();
 * }
 * }</pre>
 *
 * <p>The layout (tensor order, header bytes) is the reference implementation's, see
 * {@link SafeTensorsHeader#layout}. Bytes of a declared tensor that are never filled read as zero.
 */
public final class SafeTensorsWriter implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final SafeTensorsHeader header;
    private final Map<String, TensorInfo> byName = new HashMap<>();
    private final Arena arena;
    private final MemorySegment data;
    private final MemorySegment file;
    private final Existing existing;
    private boolean finished;

    private SafeTensorsWriter(Path target, Path temp, SafeTensorsHeader header, Arena arena, MemorySegment file,
                              long dataStart, Existing existing) {
        this.target = target;
        this.existing = existing;
        this.temp = temp;
        this.header = header;
        this.arena = arena;
        this.file = file;
        this.data = file.asSlice(dataStart);
        for (TensorInfo t : header.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /**
     * Declares the tensors and metadata of a new file at {@code target} and maps its temporary
     * file for filling. The target is not touched until {@link #commit()}.
     *
     * @throws IllegalArgumentException on a duplicate or reserved tensor name
     */
    public static SafeTensorsWriter create(Path target, List<TensorSpec> tensors, Map<String, String> metadata)
            throws IOException {
        return create(target, tensors, metadata, Existing.REPLACE);
    }

    /**
     * As {@link #create(Path, List, Map)}; {@code existing} says whether a file at {@code target} may
     * be replaced (checked now, before any work, and again by the move at {@link #commit()}). The
     * file system must have room for the whole file: that is checked now too.
     */
    public static SafeTensorsWriter create(Path target, List<TensorSpec> tensors, Map<String, String> metadata,
                                           Existing existing) throws IOException {
        AtomicFiles.checkTarget(target, existing);
        SafeTensorsHeader header = SafeTensorsHeader.layout(tensors, metadata);
        byte[] headerBytes = header.encode();
        long dataStart = SafeTensorsHeader.LENGTH_PREFIX + (long) headerBytes.length;
        long size = Math.addExact(dataStart, header.dataSize());
        Path temp;
        try {
            temp = AtomicFiles.createFileBeside(target);
        } catch (IOException e) {
            throw new SafeTensorsException(target, null, "cannot create a temporary file beside it: "
                    + IoErrors.describe(e), e);
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FreeSpace.require(temp.getParent(), size, 1, target);
            // Mapping past the end grows the file; the data region stays sparse until filled.
            MemorySegment file = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            file.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, headerBytes.length);
            MemorySegment.copy(MemorySegment.ofArray(headerBytes), 0, file, SafeTensorsHeader.LENGTH_PREFIX,
                    headerBytes.length);
            return new SafeTensorsWriter(target, temp, header, arena, file, dataStart, existing);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            Files.deleteIfExists(temp);
            TemporaryFiles.forget(temp);
            if (MappedFaults.isMappedFault(e)) {
                throw MappedFaults.explain(e, List.of(), List.of(target));
            }
            throw e;
        }
    }

    /**
     * Writes {@code tensors} (copied from their segments) and {@code metadata} to {@code target},
     * replacing it atomically.
     */
    public static void write(Path target, List<Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<TensorSpec> specs = new ArrayList<>(tensors.size());
        for (Tensor t : tensors) {
            specs.add(new TensorSpec(t.name(), t.dtype(), t.shape()));
        }
        try (SafeTensorsWriter w = create(target, specs, metadata)) {
            try {
                for (Tensor t : tensors) {
                    MemorySegment.copy(t.data(), 0, w.tensor(t.name()).data(), 0, t.byteSize());
                }
            } catch (InternalError e) {
                throw w.explain(e, List.of());
            }
            w.commit();
        }
    }

    /**
     * {@code e} as an error naming its file when it is a fault in a mapped access ({@link MappedFaults}):
     * one of {@code read} that shrank, or this writer's file system when it is full. Call it before
     * closing the writer, while its temporary file still takes the space it took when the fault came.
     */
    public SafeTensorsException explain(InternalError e, List<SafeTensorsFile> read) {
        if (!MappedFaults.isMappedFault(e)) {
            throw e; // a JVM error of another kind: not ours to explain
        }
        return MappedFaults.explain(e, read, List.of(target));
    }

    /** The file being written. */
    public Path target() {
        return target;
    }

    /** The declared tensors with their final offsets, in file order. */
    public List<TensorInfo> tensors() {
        return header.tensors();
    }

    /** A writable view of tensor {@code name}'s bytes in the output. */
    public Tensor tensor(String name) {
        TensorInfo t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException(target + ": tensor '" + name + "' was not declared");
        }
        if (finished) {
            throw new IllegalStateException(target + ": writer is already committed or closed");
        }
        return new Tensor(t.name(), t.dtype(), t.shape(), data.asSlice(t.begin(), t.byteSize()));
    }

    /** Flushes the output to disk and moves it into place, replacing {@code target} if the writer was created so. */
    public synchronized void commit() throws IOException {
        if (finished) {
            throw new IllegalStateException(target + ": writer is already committed or closed");
        }
        finished = true;
        try {
            file.force();
            arena.close();
            AtomicFiles.moveIntoPlace(temp, target, existing);
        } catch (IOException | RuntimeException | Error e) {
            if (arena.scope().isAlive()) {
                arena.close();
            }
            Files.deleteIfExists(temp);
            TemporaryFiles.forget(temp);
            if (MappedFaults.isMappedFault(e)) {
                throw MappedFaults.explain(e, List.of(), List.of(target));
            }
            throw e;
        }
    }

    /** Without a prior {@link #commit()}, abandons the output: unmaps and deletes the temporary file. */
    @Override
    public synchronized void close() throws IOException {
        if (!finished) {
            finished = true;
            arena.close();
            Files.deleteIfExists(temp);
            TemporaryFiles.forget(temp);
        }
    }
}
