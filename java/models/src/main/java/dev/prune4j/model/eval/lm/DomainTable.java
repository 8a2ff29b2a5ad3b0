package dev.prune4j.model.eval.lm;

import dev.prune4j.analysis.ZeroOverlap;
import java.util.List;

/**
 * What {@link DomainStudy} measured.
 *
 * @param domains        the domains, in order (rows: calibrated on; columns: scored on)
 * @param dense          the dense model's perplexity on each domain
 * @param perplexity     {@code [calibrated on][scored on]}
 * @param actualSparsity the zero fraction over the linear layers of each domain's model
 * @param seconds        wall time to prune and score each domain's model
 * @param distances      per pair of domains, one row per layer type and one named {@code overall}
 */
public record DomainTable(List<String> domains, double[] dense, double[][] perplexity, double[] actualSparsity,
                          double[] seconds, List<MaskDistance> distances) {
    /**
     * How the zero positions of the models calibrated on {@code a} and {@code b} overlap for one
     * layer type (all its layers together) or overall.
     */
    public record MaskDistance(String a, String b, ZeroOverlap overlap) {
        public String layerType() {
            return overlap.name();
        }

        public double jaccardDistance() {
            return overlap.jaccardDistance();
        }
    }

    public DomainTable {
        domains = List.copyOf(domains);
        distances = List.copyOf(distances);
    }
}
