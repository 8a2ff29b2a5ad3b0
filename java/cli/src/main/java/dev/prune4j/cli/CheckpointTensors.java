package dev.prune4j.cli;

import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;

/** A checkpoint's tensors as a plain lookup function, for the analysis API. */
final class CheckpointTensors {
    private CheckpointTensors() {}

    static Function<String, Tensor> lookup(Checkpoint checkpoint) {
        return name -> {
            try {
                return checkpoint.tensor(name);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
