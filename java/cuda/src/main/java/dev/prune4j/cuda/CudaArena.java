package dev.prune4j.cuda;

import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.DeviceBuffer;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Device memory for one piece of work on the CUDA engine. Its tensors' zero-length segments are
 * scoped to a host arena that closes with this one, so a tensor used after {@link #close()} throws
 * in Java instead of handing a freed device pointer to a kernel.
 */
final class CudaArena implements EngineArena {
    private final Engine engine;
    private final CudaContext context;
    private final Arena scope = Arena.ofShared();
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    CudaArena(Engine engine, CudaContext context) {
        this.engine = engine;
        this.context = context;
    }

    @Override
    public Engine engine() {
        return engine;
    }

    @Override
    public Tensor allocate(String name, DType dtype, long... shape) {
        Tensor t = reserve(name, dtype, shape);
        if (t.byteSize() > 0) {
            synchronized (context) {
                context.memset(bufferOf(t), 0, t.byteSize());
            }
        }
        return t;
    }

    @Override
    public Tensor upload(Tensor tensor) {
        if (tensor.device().equals(engine.device())) {
            return tensor;
        }
        if (!tensor.isHost()) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' is on " + tensor.device()
                    + ", not on the host or " + engine.device());
        }
        Tensor t = reserve(tensor.name(), tensor.dtype(), tensor.shape());
        if (t.byteSize() > 0) {
            context.copyToDevice(tensor.data(), bufferOf(t), 0);
        }
        return t;
    }

    @Override
    public Tensor outputFor(Tensor target) {
        if (target.device().equals(engine.device())) {
            return target;
        }
        return reserve(target.name(), target.dtype(), target.shape());
    }

    @Override
    public void download(Tensor source, Tensor target) {
        engine.requireResident(source);
        if (target.device().equals(source.device()) && target.data().address() == source.data().address()) {
            return;
        }
        target.requireHost();
        if (source.byteSize() != target.byteSize()) {
            throw new IllegalArgumentException("cannot download " + source + " into " + target);
        }
        if (source.byteSize() > 0) {
            context.copyToHost(bufferOf(source), 0, target.data());
        }
    }

    /** A device tensor with room for {@code shape} (at least 8 bytes, so every tensor has an address). */
    private Tensor reserve(String name, DType dtype, long[] shape) {
        long bytes = 1;
        for (long d : shape) {
            bytes = Math.multiplyExact(bytes, d);
        }
        bytes = Math.multiplyExact(bytes, (long) dtype.byteSize());
        DeviceBuffer buffer = context.allocate(Math.max(8, bytes));
        buffers.add(buffer);
        MemorySegment pointer = MemorySegment.ofAddress(buffer.pointer().address()).reinterpret(0, scope, null);
        return Tensor.onDevice(name, dtype, shape, engine.device(), pointer);
    }

    private DeviceBuffer bufferOf(Tensor t) {
        long address = t.data().address();
        for (int i = buffers.size() - 1; i >= 0; i--) {
            if (buffers.get(i).pointer().address() == address) {
                return buffers.get(i);
            }
        }
        throw new IllegalArgumentException("tensor '" + t.name() + "' was not allocated by this arena");
    }

    @Override
    public void close() {
        synchronized (context) {
            for (DeviceBuffer b : buffers) {
                b.close();
            }
            buffers.clear();
        }
        scope.close();
    }
}
