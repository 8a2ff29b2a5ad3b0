package dev.prune4j.model.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/** The results of an evaluation as a markdown table and as CSV (one row per pruned model). */
public final class EvalReport {
    public static final String CSV_HEADER =
            "method,setting,sparsity,actual_sparsity,cosine,top1_agreement,top1_accuracy,seconds";

    private EvalReport() {}

    /**
     * @param denseAccuracy  the dense model's top-1 accuracy on the retrieval pairs
     * @param unrelatedCosine mean cosine of dense embeddings of unrelated sentences (the floor)
     * @param notes           lines printed as a list under the title (how the run was set up)
     */
    public static String markdown(List<EvalResult> results, double denseAccuracy, double unrelatedCosine, String about,
                                  List<String> notes) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(about).append("\n\n");
        for (String n : notes) {
            sb.append("- ").append(n).append('\n');
        }
        if (!notes.isEmpty()) {
            sb.append('\n');
        }
        sb.append(String.format(Locale.ROOT, "Dense model: top-1 retrieval accuracy %.3f (cosine 1, agreement 1); "
                + "mean cosine between unrelated sentences %.3f.%n%n", denseAccuracy, unrelatedCosine));
        sb.append("| method | setting | sparsity | actual | mean cosine | top-1 agreement | top-1 accuracy |\n");
        sb.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (EvalResult r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.4f | %.4f | %.3f | %.3f |%n", r.method(),
                    r.setting(), r.sparsity(), r.actualSparsity(), r.meanCosine(), r.top1Agreement(), r.top1Accuracy()));
        }
        return sb.toString();
    }

    public static String csv(List<EvalResult> results) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (EvalResult r : results) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%s,%.6f,%.6f,%.6f,%.6f,%.2f%n", r.method(), r.setting(),
                    r.sparsity(), r.actualSparsity(), r.meanCosine(), r.top1Agreement(), r.top1Accuracy(), r.seconds()));
        }
        return sb.toString();
    }

}
