package dev.prune4j.sparse;

import dev.prune4j.internal.json.Json;
import dev.prune4j.safetensors.SafeTensorsException;
import dev.prune4j.safetensors.SafeTensorsFile;
import dev.prune4j.safetensors.SafeTensorsWriter;
import dev.prune4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * 2:4 weights in a safetensors file. For each weight {@code NAME} the file holds the tensors
 * {@code NAME.values} (the weight's dtype, {@code [out, in / 2]}) and {@code NAME.meta}
 * ({@code U8 [out, ceil(in / 8)]}), laid out as {@link Sparse24} describes, and the metadata
 * {@code shape:NAME = [out, in]} (JSON); the file's metadata also says
 * {@code prune4j.sparse24 = v1}. Any safetensors reader can load it; in numpy a row's nibbles are
 * {@code np.stack([meta & 0xF, meta >> 4], -1).reshape(out, -1)[:, :in // 4]}.
 *
 * <p>Weights read back are zero-copy views on the file's mapping, valid until {@link #close()}.
 */
public final class Sparse24File implements AutoCloseable {
    static final String VALUES = ".values";
    static final String META = ".meta";
    static final String SHAPE = "shape:";

    private final SafeTensorsFile file;
    private final Map<String, Sparse24> weights;

    private Sparse24File(SafeTensorsFile file, Map<String, Sparse24> weights) {
        this.file = file;
        this.weights = weights;
    }

    /** Writes {@code weights} to {@code target} (through a temporary file moved into place). */
    public static void write(Path target, List<Sparse24> weights) throws IOException {
        List<Tensor> tensors = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(Sparse24.FORMAT, Sparse24.VERSION);
        for (Sparse24 w : weights) {
            if (metadata.put(SHAPE + w.name(), Json.write(w.shape())) != null) {
                throw new IllegalArgumentException(target + ": weight '" + w.name() + "' is given twice");
            }
            tensors.add(w.values().withName(w.name() + VALUES));
            tensors.add(w.meta().withName(w.name() + META));
        }
        SafeTensorsWriter.write(target, tensors, metadata);
    }

    /** Maps {@code path} and checks every 2:4 weight in it (shapes and metadata nibbles). */
    public static Sparse24File open(Path path) throws IOException {
        SafeTensorsFile file = SafeTensorsFile.open(path);
        try {
            Map<String, String> metadata = file.metadata();
            String version = metadata.get(Sparse24.FORMAT);
            if (!Sparse24.VERSION.equals(version)) {
                throw new SafeTensorsException(path, version == null
                        ? "has no '" + Sparse24.FORMAT + "' metadata: not a file of 2:4 weights"
                        : "has 2:4 format version '" + version + "', this reader knows " + Sparse24.VERSION);
            }
            Map<String, Sparse24> weights = new TreeMap<>();
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey().startsWith(SHAPE)) {
                    String name = e.getKey().substring(SHAPE.length());
                    weights.put(name, read(file, name, e.getValue()));
                }
            }
            return new Sparse24File(file, weights);
        } catch (IOException | RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    private static Sparse24 read(SafeTensorsFile file, String name, String shapeJson) throws SafeTensorsException {
        long[] shape = parseShape(file.path(), name, shapeJson);
        Tensor values = file.tensor(name + VALUES);
        Tensor meta = file.tensor(name + META);
        try {
            Sparse24.checkShape(name, shape[0], shape[1]);
            return new Sparse24(name, (int) shape[0], (int) shape[1], values, meta);
        } catch (IllegalArgumentException e) {
            throw new SafeTensorsException(file.path(), name, e.getMessage(), e);
        }
    }

    private static long[] parseShape(Path path, String name, String json) throws SafeTensorsException {
        try {
            if (Json.parse(json) instanceof List<?> dims && dims.size() == 2
                    && dims.get(0) instanceof Number out && dims.get(1) instanceof Number in
                    && out.longValue() >= 0 && in.longValue() >= 0) {
                return new long[] {out.longValue(), in.longValue()};
            }
        } catch (Json.JsonException e) {
            // reported below
        }
        throw new SafeTensorsException(path, name, "metadata '" + SHAPE + name + "' is '" + json
                + "', expected [out, in]");
    }

    public Path path() {
        return file.path();
    }

    /** The 2:4 weights' names, sorted. */
    public List<String> names() {
        return List.copyOf(weights.keySet());
    }

    public boolean contains(String name) {
        return weights.containsKey(name);
    }

    /** The weight {@code name}, a view on the mapping. */
    public Sparse24 weight(String name) throws SafeTensorsException {
        Sparse24 w = weights.get(name);
        if (w == null) {
            throw new SafeTensorsException(file.path(), name, "no such 2:4 weight in this file");
        }
        return w;
    }

    @Override
    public void close() {
        file.close();
    }
}
