package dev.prune4j.engine;

import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;

/**
 * The memory of one piece of work on an engine: tensors allocated on the engine's device, and
 * host tensors moved there and back. Closing the arena frees everything it allocated; a device
 * tensor used after that throws. On the CPU engine the device is the host: {@link #upload} and
 * {@link #outputFor} return the host tensor itself and {@link #download} of it copies nothing.
 *
 * <pre>{@code
 * try (EngineArena work = engine.openArena()) {
 *     Tensor w = work.upload(weight);                    // crosses the bus once
 *     Tensor out = work.outputFor(pruned);               // pruned: a host tensor of w's shape
 *     engine.applyMask(w, keep, out);
 *     work.download(out, pruned);                        // and once back
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one arena per thread of work.
 */
public interface EngineArena extends AutoCloseable {
    /** The engine whose device this arena's tensors live on. */
    Engine engine();

    /** A zero-filled tensor on the engine's device. */
    Tensor allocate(String name, DType dtype, long... shape);

    /**
     * {@code tensor}'s contents on the engine's device: {@code tensor} itself when it is already
     * there (always, on the CPU engine), a copy owned by this arena otherwise.
     *
     * @throws IllegalArgumentException when {@code tensor} lives on another device
     */
    Tensor upload(Tensor tensor);

    /**
     * A tensor on the engine's device to compute a result into that {@link #download} then writes
     * to {@code target}: {@code target} itself when it is already there (always, on the CPU
     * engine), otherwise an uninitialised device tensor of its dtype and shape owned by this arena.
     */
    Tensor outputFor(Tensor target);

    /**
     * Copies {@code source} (on the engine's device) into {@code target}, a host tensor of the same
     * size; nothing when they are the same memory (so {@code download(outputFor(t), t)} is free on
     * the CPU engine).
     */
    void download(Tensor source, Tensor target);

    /** Frees the device memory this arena allocated. */
    @Override
    void close();
}
