package dev.prune4j.checkpoint;

import dev.prune4j.internal.json.Json;
import dev.prune4j.mask.Mask;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.safetensors.SafeTensorsHeader;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.safetensors.TensorInfo;
import dev.prune4j.safetensors.TensorSpec;
import dev.prune4j.tensor.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The masks of a pruned checkpoint on disk (format {@value #FORMAT_KEY} = {@value #VERSION}): one
 * safetensors file with, for every pruned tensor {@code NAME}, a {@code U8} tensor {@code NAME} of
 * {@code ceil(numel / 8)} bytes, bit {@code i % 8} of byte {@code i / 8} set when weight {@code i}
 * (flat, row-major) is kept ({@link Mask#toBytes()}); the metadata records each tensor's shape
 * ({@code shape:NAME}), the bit order and how it was pruned. In numpy:
 * {@code np.unpackbits(b, bitorder="little")[:numel].reshape(shape)}.
 */
public final class MaskFile {
    /** Where the masks go, relative to a pruned checkpoint's folder. */
    public static final String PATH = "prune4j/masks.safetensors";
    public static final String FORMAT_KEY = "prune4j.mask";
    public static final String VERSION = "v1";

    private MaskFile() {}

    /** A writer for the masks of {@code shapes} (tensor name to shape, in order); {@code how} goes to the metadata. */
    public static SafeTensorsWriter create(Path file, Map<String, long[]> shapes, String how) throws IOException {
        List<TensorSpec> specs = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        declare(shapes, how, specs, metadata);
        return SafeTensorsWriter.create(file, specs, metadata);
    }

    /** Bytes of the mask file {@link #create} writes for {@code shapes}. */
    public static long bytes(Map<String, long[]> shapes, String how) {
        List<TensorSpec> specs = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        declare(shapes, how, specs, metadata);
        SafeTensorsHeader header = SafeTensorsHeader.layout(specs, metadata);
        return SafeTensorsHeader.LENGTH_PREFIX + header.encode().length + header.dataSize();
    }

    private static void declare(Map<String, long[]> shapes, String how, List<TensorSpec> specs,
                                Map<String, String> metadata) {
        metadata.put(FORMAT_KEY, VERSION);
        metadata.put("prune4j.bitorder", "little");
        metadata.put("prune4j.spec", how);
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long numel = 1;
            for (long d : e.getValue()) {
                numel = Math.multiplyExact(numel, d);
            }
            specs.add(new TensorSpec(e.getKey(), DType.U8, new long[] {(numel + 7) / 8}));
            metadata.put("shape:" + e.getKey(), Json.write(e.getValue()));
        }
    }

    /** Writes {@code keep} as the mask of {@code name} into an open writer. */
    public static void put(SafeTensorsWriter writer, String name, Mask keep) {
        keep.writeTo(writer.tensor(name).data());
    }

    /** The mask of {@code name} in an open mask file, with the shape its metadata records. */
    public static Mask read(SafeTensorsFile file, String name) throws IOException {
        String shape = file.metadata().get("shape:" + name);
        if (shape == null) {
            throw new IllegalArgumentException(file.path() + ": no shape recorded for mask '" + name + "'");
        }
        List<Object> dims = Json.parseArray(shape);
        long[] dimensions = new long[dims.size()];
        for (int i = 0; i < dimensions.length; i++) {
            if (!(dims.get(i) instanceof Number n) || n.longValue() < 0) {
                throw new IllegalArgumentException(file.path() + ": bad shape " + shape + " for mask '" + name + "'");
            }
            dimensions[i] = ((Number) dims.get(i)).longValue();
        }
        TensorInfo info = file.info(name);
        if (info.dtype() != DType.U8) {
            throw new IllegalArgumentException(file.path() + ": mask '" + name + "' is " + info.dtype() + ", not U8");
        }
        return Mask.fromSegment(file.tensor(name).data(), dimensions);
    }
}
