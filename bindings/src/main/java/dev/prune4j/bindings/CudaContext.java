package dev.prune4j.bindings;

import static dev.prune4j.bindings.Prune4jH.C_INT;
import static dev.prune4j.bindings.Prune4jH.C_LONG;
import static dev.prune4j.bindings.Prune4jH.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A CUDA device and its stream ({@code p4j_context*}), with the status checks done: every failed
 * call becomes a {@link Prune4jException} carrying the library's message.
 *
 * <p><b>One lock.</b> The native context is not thread-safe, so this object is the lock for it and
 * for everything that uses it (buffers, GEMM plans, the engine's kernels): every call here
 * synchronises on it, and so must any code that passes {@link #handle()} to a downcall.
 *
 * <p><b>Lifetime.</b> A context outlives what was made on it: {@link #close()} first closes the
 * resources registered with {@link #register} (GEMM plans) and then destroys the context; buffers
 * freed after that do nothing. Out-parameters go to a small segment allocated once.
 */
public final class CudaContext implements AutoCloseable {
    private static final int NAME_BYTES = 256;

    private final Arena arena;
    private final MemorySegment scratch;
    private final MemorySegment handle;
    private final int device;
    private final java.util.Set<AutoCloseable> children = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private boolean closed;

    private CudaContext(Arena arena, MemorySegment scratch, MemorySegment handle, int device) {
        this.arena = arena;
        this.scratch = scratch;
        this.handle = handle;
        this.device = device;
    }

    /** Throws when {@code status} is not {@code P4J_OK}, with the library's message for it. */
    public static void check(int status, String call) {
        if (status != Prune4jH.P4J_OK) {
            String message = Prune4jH.prune4j_last_error().reinterpret(4096).getString(0);
            throw new Prune4jException(status, call + ": " + message);
        }
    }

    /** Fails unless the loaded library speaks the ABI these bindings were written for. */
    public static void checkAbiVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment version = a.allocate(C_INT);
            check(Prune4jH.prune4j_abi_version(version), "prune4j_abi_version");
            int v = version.get(C_INT, 0);
            if (v != Prune4jH.PRUNE4J_ABI_VERSION) {
                throw new NativeLibraryUnavailableException("libprune4j from " + NativeLibrary.describe()
                        + " has ABI version " + v + ", the bindings need " + Prune4jH.PRUNE4J_ABI_VERSION);
            }
        }
    }

    /** Number of CUDA devices; {@code P4J_ERR_NO_DRIVER} when there is no usable driver. */
    public static int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment count = a.allocate(C_INT);
            check(Prune4jH.prune4j_device_count(count), "prune4j_device_count");
            return count.get(C_INT, 0);
        }
    }

    public static CudaContext open(int device) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment scratch = arena.allocate(NAME_BYTES, 8);
            check(Prune4jH.prune4j_context_create(device, scratch), "prune4j_context_create(" + device + ")");
            return new CudaContext(arena, scratch, scratch.get(C_POINTER, 0), device);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public int device() {
        return device;
    }

    /** The opaque {@code p4j_context*}, for the kernel calls of {@link Prune4jH}; hold this context's lock. */
    public MemorySegment handle() {
        ensureOpen();
        return handle;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** {@code child} is closed when this context closes, unless it was {@link #unregister}ed first. */
    public synchronized void register(AutoCloseable child) {
        ensureOpen();
        children.add(child);
    }

    public synchronized void unregister(AutoCloseable child) {
        children.remove(child);
    }

    public synchronized String deviceName() {
        check(Prune4jH.prune4j_device_name(handle(), scratch, NAME_BYTES), "prune4j_device_name");
        return scratch.getString(0);
    }

    /** Compute capability, e.g. {@code 9.0} for H100. */
    public synchronized Capability capability() {
        check(Prune4jH.prune4j_device_capability(handle(), scratch, scratch.asSlice(4)), "prune4j_device_capability");
        return new Capability(scratch.get(C_INT, 0), scratch.get(C_INT, 4));
    }

    public record Capability(int major, int minor) {
        @Override
        public String toString() {
            return "sm_" + major + minor;
        }
    }

    public synchronized MemoryInfo memory() {
        check(Prune4jH.prune4j_device_memory(handle(), scratch, scratch.asSlice(8)), "prune4j_device_memory");
        return new MemoryInfo(scratch.get(C_LONG, 0), scratch.get(C_LONG, 8));
    }

    public record MemoryInfo(long freeBytes, long totalBytes) {}

    /** Allocates {@code bytes} (> 0) of device memory. */
    public synchronized DeviceBuffer allocate(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("device allocation of " + bytes + " bytes");
        }
        check(Prune4jH.prune4j_malloc(handle(), bytes, scratch), "prune4j_malloc(" + bytes + ")");
        return new DeviceBuffer(this, scratch.get(C_POINTER, 0), bytes);
    }

    void free(MemorySegment devicePointer) {
        check(Prune4jH.prune4j_free(handle(), devicePointer), "prune4j_free");
    }

    /** Copies {@code host} (native memory) to {@code dst} at {@code offset}; returns when done. */
    public synchronized void copyToDevice(MemorySegment host, DeviceBuffer dst, long offset) {
        dst.checkRange(offset, host.byteSize());
        if (host.isNative()) {
            check(Prune4jH.prune4j_memcpy_h2d(handle(), dst.address(offset), host, host.byteSize()), "prune4j_memcpy_h2d");
            return;
        }
        // Heap memory cannot be passed to a blocking downcall: stage it off-heap.
        try (Arena a = Arena.ofConfined()) {
            MemorySegment staging = a.allocate(host.byteSize(), 8);
            staging.copyFrom(host);
            check(Prune4jH.prune4j_memcpy_h2d(handle(), dst.address(offset), staging, host.byteSize()), "prune4j_memcpy_h2d");
        }
    }

    /** Copies {@code host.byteSize()} bytes from {@code src} at {@code offset} into {@code host}. */
    public synchronized void copyToHost(DeviceBuffer src, long offset, MemorySegment host) {
        src.checkRange(offset, host.byteSize());
        if (host.isNative()) {
            check(Prune4jH.prune4j_memcpy_d2h(handle(), host, src.address(offset), host.byteSize()), "prune4j_memcpy_d2h");
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment staging = a.allocate(host.byteSize(), 8);
            check(Prune4jH.prune4j_memcpy_d2h(handle(), staging, src.address(offset), host.byteSize()), "prune4j_memcpy_d2h");
            host.copyFrom(staging);
        }
    }

    /** Sets {@code bytes} bytes of {@code dst} to {@code value}. */
    public synchronized void memset(DeviceBuffer dst, int value, long bytes) {
        dst.checkRange(0, bytes);
        check(Prune4jH.prune4j_memset(handle(), dst.address(0), value, bytes), "prune4j_memset");
    }

    public synchronized void synchronize() {
        check(Prune4jH.prune4j_synchronize(handle()), "prune4j_synchronize");
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("CUDA context of device " + device + " is closed");
        }
    }

    /** Closes every registered child (GEMM plans), then destroys the context. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        RuntimeException failure = null;
        for (AutoCloseable child : java.util.List.copyOf(children)) {
            try {
                child.close();
            } catch (Exception e) {
                failure = failure == null ? new IllegalStateException("closing " + child + " failed", e) : failure;
            }
        }
        children.clear();
        closed = true;
        try {
            check(Prune4jH.prune4j_context_destroy(handle), "prune4j_context_destroy");
        } finally {
            arena.close();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
