package dev.prune4j.cli;

import dev.prune4j.method.MethodOptions;
import dev.prune4j.method.Methods;
import dev.prune4j.owl.OwlOptions;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.sparsegpt.SparseGpt;
import picocli.CommandLine.Option;

/**
 * The methods' settings on the command line, shared by {@code prune} and {@code eval} (a picocli
 * mixin): SparseGPT's block size and damping, OWL's lambda and M, and {@code --refine NAME}, which
 * refines any method's mask afterwards. Each option is used only by the methods it concerns.
 */
final class MethodSettings {
    /** Above 1 the damping outweighs the Hessian, and huge values overflow F32. */
    static final double MAX_PERCDAMP = 1.0;

    @Option(names = "--block-size", paramLabel = "B", converter = Options.Whole.class,
            description = "SparseGPT columns per block (default 128)")
    Integer blockSize;

    @Option(names = "--percdamp", paramLabel = "D", converter = Options.Decimal.class,
            description = "SparseGPT damping relative to the mean Hessian diagonal (default 0.01)")
    Double percDamp;

    @Option(names = "--owl-lambda", paramLabel = "L", converter = Options.Decimal.class,
            description = "owl-* methods: layer sparsities spread over [r - L, r + L] (default 0.08)")
    Double owlLambda;

    @Option(names = "--owl-m", paramLabel = "M", converter = Options.Decimal.class,
            description = "owl-* methods: a weight is an outlier above M times its layer's mean score (default 5)")
    Double owlM;

    @Option(names = "--refine", paramLabel = "NAME",
            description = "refine every method's mask afterwards with the layer Hessian, keeping its sparsity: sparseswaps")
    String refine;

    /** The method called {@code name} with these settings; a bad name or value is a usage error naming the option. */
    LayerPruner<?> method(String name, String option) {
        MethodOptions options = options();
        LayerPruner<?> method;
        try {
            method = Methods.named(name, options);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + ": " + e.getMessage());
        }
        if (refine == null) {
            return method;
        }
        if (name.contains("+")) {
            throw new UsageException(option + ": '" + Messages.clean(name) + "' names its refiner already; leave out --refine");
        }
        try {
            return Methods.refined(method, Methods.refiner(refine, options));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--refine: " + e.getMessage());
        }
    }

    private MethodOptions options() {
        if (percDamp != null && !(percDamp > 0 && percDamp <= MAX_PERCDAMP)) {
            // 0 would make SparseGPT's retries (ten times the damping each) retry with 0 again.
            throw new UsageException("--percdamp must be a number in (0, " + MAX_PERCDAMP
                    + "], a fraction of the mean Hessian diagonal; got " + percDamp);
        }
        try {
            SparseGpt.Options sparseGpt = SparseGpt.Options.DEFAULT
                    .withBlockSize(blockSize != null ? blockSize : SparseGpt.Options.DEFAULT.blockSize())
                    .withPercDamp(percDamp != null ? percDamp : SparseGpt.Options.DEFAULT.percDamp());
            OwlOptions owl = OwlOptions.DEFAULT;
            if (owlLambda != null) {
                owl = owl.withLambda(owlLambda);
            }
            if (owlM != null) {
                owl = owl.withM(owlM);
            }
            return MethodOptions.DEFAULT.withSparseGpt(sparseGpt).withOwl(owl);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            String option = m.contains("lambda") ? "--owl-lambda" : m.contains("OWL M") ? "--owl-m" : "--block-size";
            throw new UsageException(option + ": " + m);
        }
    }
}
