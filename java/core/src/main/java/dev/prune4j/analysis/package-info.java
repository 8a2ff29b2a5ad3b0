/**
 * What a checkpoint's weights look like, and how two pruned checkpoints differ.
 *
 * <ul>
 *   <li>{@link dev.prune4j.analysis.SparsityReport}: per tensor and overall, the count, zeros, fraction
 *       with |w| &gt; t, min / max / mean / std of |w| and a log10 |w| histogram in the fixed bins of
 *       {@link dev.prune4j.analysis.Log10Bins}; F32, F16 and BF16 tensors, others listed as skipped.</li>
 *   <li>{@link dev.prune4j.analysis.MaskSimilarity}: Jaccard distance between the zero patterns of two
 *       checkpoints (or two sets of {@link dev.prune4j.mask.Mask}s), per tensor and over all positions.</li>
 *   <li>{@link dev.prune4j.analysis.ReportFormat}: both as a terminal table, CSV or JSON. (The
 *       command line draws the per-tensor fraction as a PNG; the library holds data, no drawing.)</li>
 * </ul>
 *
 * <p>Tensors are read straight from their (possibly memory-mapped) segments, one tensor at a time,
 * in parallel chunks; nothing is copied into {@code float[]}, so checkpoints larger than memory work.
 *
 * <pre>{@code
 * SparsityReport report = SparsityReport.analyze(names, checkpoint::tensor, 0.2, engine);
 * ReportFormat.TABLE.write(report, System.out);
 *
 * MaskSimilarity sim = MaskSimilarity.compare(namesA, a::tensor, namesB, b::tensor, engine);
 * ReportFormat.CSV.write(sim, System.out);
 * }</pre>
 */
package dev.prune4j.analysis;
