package dev.prune4j.bindings;

import java.lang.foreign.MemorySegment;

/**
 * Device memory allocated through {@link CudaContext#allocate(long)}. {@link #segment()} has the
 * buffer's size but points into GPU memory: pass it to kernels, never read or write it on the host.
 */
public final class DeviceBuffer implements AutoCloseable {
    private final CudaContext context;
    private final MemorySegment segment;
    private boolean freed;

    DeviceBuffer(CudaContext context, MemorySegment segment) {
        this.context = context;
        this.segment = segment;
    }

    public long byteSize() {
        return segment.byteSize();
    }

    /** The device pointer, sized; never dereference it on the host. */
    public MemorySegment segment() {
        if (freed) {
            throw new IllegalStateException("device buffer of " + segment.byteSize() + " bytes was freed");
        }
        return segment;
    }

    MemorySegment address(long offset) {
        return offset == 0 ? segment() : segment().asSlice(offset);
    }

    void checkRange(long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset + bytes > segment.byteSize()) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + bytes)
                    + ") outside a device buffer of " + segment.byteSize());
        }
    }

    @Override
    public void close() {
        if (!freed) {
            freed = true;
            context.free(segment);
        }
    }
}
