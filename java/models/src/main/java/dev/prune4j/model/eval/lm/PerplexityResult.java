package dev.prune4j.model.eval.lm;

/**
 * The perplexity of one (pruned) language model on the evaluation windows: a row of the table.
 *
 * @param method         pruning method ({@code magnitude}, {@code wanda}, ...), or {@code dense}
 * @param setting        where the ratio is met exactly: {@code row}, {@code tensor}, an N:M pattern
 *                       ({@code 2:4}), or {@code none} for the dense model
 * @param sparsity       the requested fraction of linear weights pruned
 * @param actualSparsity the measured fraction of zero weights over the pruned linear layers
 * @param perplexity     {@code exp} of the mean negative log-likelihood per prediction
 * @param meanNll        that mean, in nats
 * @param pruneSeconds   wall time to calibrate and prune
 * @param evalSeconds    wall time to score the windows
 * @param cpuSeconds     CPU time of the process over both (other work on a shared machine inflates
 *                       wall time, not this)
 */
public record PerplexityResult(String method, String setting, double sparsity, double actualSparsity,
                               double perplexity, double meanNll, double pruneSeconds, double evalSeconds,
                               double cpuSeconds) {
    /** The method name of the unpruned model's row. */
    public static final String DENSE = "dense";

    /** Wall time of the whole row: pruning and scoring. */
    public double seconds() {
        return pruneSeconds + evalSeconds;
    }
}
