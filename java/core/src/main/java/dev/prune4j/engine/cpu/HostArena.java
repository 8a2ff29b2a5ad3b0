package dev.prune4j.engine.cpu;

import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** The CPU engine's arena: host memory in a shared arena; host tensors pass through untouched. */
final class HostArena implements EngineArena {
    private final Engine engine;
    private final Arena arena = Arena.ofShared();

    HostArena(Engine engine) {
        this.engine = engine;
    }

    @Override
    public Engine engine() {
        return engine;
    }

    @Override
    public Tensor allocate(String name, DType dtype, long... shape) {
        return Tensor.allocate(arena, name, dtype, shape);
    }

    @Override
    public Tensor upload(Tensor tensor) {
        return tensor.requireHost();
    }

    @Override
    public Tensor outputFor(Tensor target) {
        return target.requireHost();
    }

    @Override
    public void download(Tensor source, Tensor target) {
        source.requireHost();
        target.requireHost();
        if (source.byteSize() != target.byteSize()) {
            throw new IllegalArgumentException("cannot download " + source + " into " + target);
        }
        if (!source.data().equals(target.data())) {
            MemorySegment.copy(source.data(), 0, target.data(), 0, source.byteSize());
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
