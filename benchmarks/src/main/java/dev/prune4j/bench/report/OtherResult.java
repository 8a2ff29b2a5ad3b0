package dev.prune4j.bench.report;

import java.util.Map;

/**
 * A JMH result that is not a dense vs 2:4 layer (mask kernels, Wanda, SparseGPT, ...): shown as it
 * is, one table row each, so a new benchmark appears in the report without code here.
 *
 * @param benchmark the JMH name without the package ({@code MaskBench.nm24})
 * @param params    its parameters, in JMH's order
 * @param mode      JMH's mode ({@code avgt}, {@code ss}, ...)
 * @param score     the primary score
 * @param error     its confidence half-width, or NaN
 * @param unit      the score's unit ({@code ms/op})
 */
public record OtherResult(String benchmark, Map<String, String> params, String mode, double score, double error,
                          String unit) {}
