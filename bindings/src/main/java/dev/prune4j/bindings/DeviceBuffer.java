package dev.prune4j.bindings;

import java.lang.foreign.MemorySegment;

/**
 * Device memory allocated through {@link CudaContext#allocate(long)}. {@link #pointer()} is a
 * zero-length segment at the device address: it can be passed to kernels, and any host read or
 * write of it throws instead of touching GPU memory as if it were the host's.
 */
public final class DeviceBuffer implements AutoCloseable {
    private final CudaContext context;
    private final MemorySegment pointer;
    private final long byteSize;
    private boolean freed;

    DeviceBuffer(CudaContext context, MemorySegment pointer, long byteSize) {
        this.context = context;
        this.pointer = pointer.reinterpret(0);
        this.byteSize = byteSize;
    }

    public long byteSize() {
        return byteSize;
    }

    /** The device pointer as a zero-length segment; never dereference it on the host. */
    public MemorySegment pointer() {
        if (freed) {
            throw new IllegalStateException("device buffer of " + byteSize + " bytes was freed");
        }
        return pointer;
    }

    /** The device address {@code offset} bytes into the buffer, zero-length. */
    MemorySegment address(long offset) {
        return offset == 0 ? pointer() : MemorySegment.ofAddress(pointer().address() + offset);
    }

    void checkRange(long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset + bytes > byteSize) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + bytes)
                    + ") outside a device buffer of " + byteSize);
        }
    }

    public boolean isFreed() {
        return freed;
    }

    /** Frees the memory; a second close, or a close after the context closed, does nothing. */
    @Override
    public void close() {
        synchronized (context) {
            if (!freed) {
                freed = true;
                if (!context.isClosed()) {
                    context.free(pointer);
                }
            }
        }
    }
}
