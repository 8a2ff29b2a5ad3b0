package dev.prune4j.cli;

import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.safetensors.MappedFaults;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/** A checkpoint's tensors as a plain lookup function, for the analysis API, and the faults of reading them. */
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

    /** Runs {@code work}, which reads {@code checkpoint}'s mappings; a fault names the shard that was truncated. */
    static <T> T reading(Checkpoint checkpoint, Supplier<T> work) throws IOException {
        return reading(List.of(checkpoint), work);
    }

    static <T> T reading(List<Checkpoint> checkpoints, Supplier<T> work) throws IOException {
        try {
            return work.get();
        } catch (InternalError | RuntimeException e) {
            if (!MappedFaults.isMappedFault(e)) {
                throw e;
            }
            List<SafeTensorsFile> shards = new ArrayList<>();
            checkpoints.forEach(c -> shards.addAll(c.openShards()));
            throw MappedFaults.explain(e, shards, List.of());
        }
    }
}
