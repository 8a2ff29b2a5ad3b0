package dev.prune4j.model.llama;

import dev.prune4j.tensor.convert.F32Tensors;
import dev.prune4j.gguf.GgufFile;
import dev.prune4j.safetensors.Checkpoint;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/** F32 copies of a LLaMA model's tensors, in Hugging Face's names and row order, from either kind of file. */
final class LlamaWeights {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Supplies one tensor, as F32, by its Hugging Face name. */
    interface Source {
        Tensor f32(LlamaTensorNames.Entry entry) throws IOException;
    }

    private LlamaWeights() {}

    /** A tensor of {@code file} dequantised, with q and k rows in Hugging Face's order. */
    static float[] hfOrder(GgufFile file, LlamaTensorNames.Entry e, LlamaConfig config) throws IOException {
        float[] values = file.toFloatArray(e.ggufName());
        int heads = LlamaTensorNames.permutedHeads(e.hfName(), config);
        if (heads > 0) {
            values = QkPermutation.toHuggingFace(values, (int) e.shape()[0], (int) e.shape()[1], heads);
        }
        return values;
    }

    /** Tensors dequantised from a GGUF into {@code arena}. */
    static Source gguf(GgufFile file, LlamaConfig config, Arena arena) {
        return e -> {
            float[] values = hfOrder(file, e, config);
            Tensor t = Tensor.allocate(arena, e.hfName(), DType.F32, e.shape());
            MemorySegment.copy(values, 0, t.data(), F32, 0, values.length);
            return t;
        };
    }

    /** Tensors of a Hugging Face checkpoint widened to F32 copies in {@code arena}. */
    static Source checkpoint(Checkpoint checkpoint, Arena arena) {
        return e -> {
            Tensor t = checkpoint.tensor(e.hfName());
            if (!t.dtype().prunable() || !Arrays.equals(t.shape(), e.shape())) {
                throw new IOException(checkpoint.dir() + ": tensor '" + e.hfName() + "' is " + t.dtype()
                        + t.shapeString() + ", expected F32, F16 or BF16 " + Arrays.toString(e.shape()));
            }
            return F32Tensors.copyOf(t, arena, e.hfName());
        };
    }
}
