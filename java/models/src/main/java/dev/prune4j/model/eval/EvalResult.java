package dev.prune4j.model.eval;

/**
 * The quality of one pruned model against the dense one.
 *
 * @param method          pruning method ("magnitude", "wanda", ...)
 * @param setting         where the ratio is met exactly: a scope ("row", "tensor", "global") or an N:M pattern ("2:4")
 * @param sparsity        the requested fraction of linear weights pruned
 * @param actualSparsity  the measured fraction of zero linear weights
 * @param meanCosine      mean cosine similarity of pruned and dense embeddings, held-out sentences
 * @param top1Agreement   fraction of retrieval queries whose top-1 document is the dense model's
 * @param top1Accuracy    fraction of retrieval queries whose top-1 document is their true pair
 * @param seconds         wall time to prune and evaluate
 */
public record EvalResult(String method, String setting, double sparsity, double actualSparsity, double meanCosine,
                         double top1Agreement, double top1Accuracy, double seconds) {
}
