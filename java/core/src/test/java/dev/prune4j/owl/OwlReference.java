package dev.prune4j.owl;

/**
 * The test oracle: OWL's allocation written from the paper and the reference code's steps in
 * double precision, for layers of equal size (where the reference's plain mean over layers is the
 * mean the model-wide sparsity needs).
 */
final class OwlReference {
    private OwlReference() {}

    /** {@code check_outlier_mean}: the share of {@code |W| * ||X||} above {@code m} times its mean, over all matrices. */
    static double outlierRatio(double[][][] weights, double[][] rms, double m) {
        double sum = 0;
        long count = 0;
        for (int t = 0; t < weights.length; t++) {
            for (double[] row : weights[t]) {
                for (int j = 0; j < row.length; j++) {
                    sum += Math.abs(row[j]) * rms[t][j];
                    count++;
                }
            }
        }
        double threshold = m * sum / count;
        long outliers = 0;
        for (int t = 0; t < weights.length; t++) {
            for (double[] row : weights[t]) {
                for (int j = 0; j < row.length; j++) {
                    outliers += Math.abs(row[j]) * rms[t][j] > threshold ? 1 : 0;
                }
            }
        }
        return (double) outliers / count;
    }

    /**
     * The reference's adjustment: {@code D = (D - min) / (max - min) * 2 lambda}, density
     * {@code D - mean(D) + (1 - r)}, sparsity {@code 1 - density}.
     */
    static double[] sparsities(double[] d, double r, double lambda) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : d) {
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double[] s = new double[d.length];
        double mean = 0;
        for (int l = 0; l < d.length; l++) {
            s[l] = (d[l] - min) * (1 / (max - min) * lambda * 2);
            mean += s[l] / d.length;
        }
        double[] sparsity = new double[d.length];
        for (int l = 0; l < d.length; l++) {
            sparsity[l] = 1 - (s[l] - mean + (1 - r));
        }
        return sparsity;
    }
}
