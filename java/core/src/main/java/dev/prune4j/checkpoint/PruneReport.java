package dev.prune4j.checkpoint;

import dev.prune4j.internal.json.Json;
import dev.prune4j.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pruning run did, per pruned tensor and in total; also written as JSON to
 * {@value #PATH} in the output folder ({@link #toJson()}).
 *
 * @param engine  the engine the work ran on, as it describes itself
 * @param method  the method's name ({@code magnitude}, {@code wanda}, {@code sparsegpt})
 * @param spec    what was asked, e.g. {@code 0.5 (row)} or {@code 2:4}
 * @param layers  one entry per pruned tensor, in selection (name) order
 * @param seconds wall time of the whole run
 */
public record PruneReport(String engine, String method, String spec, List<Layer> layers, double seconds) {
    /** Where the JSON report goes, relative to the output folder. */
    public static final String PATH = "prune4j/report.json";

    public PruneReport {
        layers = List.copyOf(layers);
    }

    /**
     * What happened to one pruned tensor.
     *
     * @param reconstructionError {@code ||W X^T - W' X^T||_F^2} on the calibration inputs, NaN when not
     *                            measured (no Hessian or inputs for it, or not asked)
     * @param damping             SparseGPT's damping as finally used, NaN otherwise
     */
    public record Layer(String name, DType dtype, long[] shape, long pruned, double reconstructionError,
                        double damping) {
        public long numel() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }

        public double sparsity() {
            return numel() == 0 ? 0 : (double) pruned / numel();
        }
    }

    /** {@code method spec}, as logs and the mask file's metadata say it. */
    public String describe() {
        return method + " " + spec;
    }

    public long selectedWeights() {
        return layers.stream().mapToLong(Layer::numel).sum();
    }

    public long prunedWeights() {
        return layers.stream().mapToLong(Layer::pruned).sum();
    }

    public double sparsity() {
        long n = selectedWeights();
        return n == 0 ? 0 : (double) prunedWeights() / n;
    }

    /** The report as pretty-printed JSON (NaN errors as {@code null}). */
    public String toJson() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("engine", engine);
        root.put("method", method);
        root.put("spec", describe());
        root.put("seconds", seconds);
        root.put("selected_weights", selectedWeights());
        root.put("pruned_weights", prunedWeights());
        root.put("sparsity", sparsity());
        List<Object> rows = new ArrayList<>();
        for (Layer l : layers) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", l.name());
            row.put("dtype", l.dtype().name());
            row.put("shape", l.shape());
            row.put("numel", l.numel());
            row.put("pruned", l.pruned());
            row.put("sparsity", l.sparsity());
            row.put("reconstruction_error", Double.isNaN(l.reconstructionError()) ? null : l.reconstructionError());
            if (!Double.isNaN(l.damping())) {
                row.put("damping", l.damping());
            }
            rows.add(row);
        }
        root.put("layers", rows);
        return Json.writePretty(root);
    }
}
