package dev.prune4j.bench.report;

/**
 * One timed linear layer {@code Y = X W^T}: which implementation, where, on what.
 *
 * @param device   {@code cpu} or {@code cuda}: the table a result goes to
 * @param impl     the implementation, one of the {@code Impl} names
 * @param shape    {@code out x in}, as in the ARCHITECTURE.md table ({@code 4096x11008})
 * @param tokens   rows of X
 * @param dtype    {@code F16} or {@code BF16}
 * @param ms       mean wall time of one call in milliseconds
 * @param msError  half-width of its confidence interval (JMH's 99.9 %), or NaN
 * @param kernelMs mean device time of the kernels of one call, or NaN when not measured
 * @param source   the file it came from, for the report's list of sources
 */
public record LinearResult(String device, Impl impl, String shape, int tokens, String dtype, double ms, double msError,
                           double kernelMs, String source) {

    /** The implementations the report compares; a dense one and a 2:4 one per family. */
    public enum Impl {
        PRUNE4J_DENSE("prune4j dense"),
        PRUNE4J_SPARSE24("prune4j 2:4"),
        TORCH_DENSE("torch dense"),
        TORCH_CUTLASS("torch CUTLASS 2:4"),
        TORCH_CUSPARSELT("torch cuSPARSELt 2:4");

        private final String label;

        Impl(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** The dense baseline a 2:4 implementation is compared with (itself for a dense one). */
        public Impl baseline() {
            return switch (this) {
                case PRUNE4J_DENSE, PRUNE4J_SPARSE24 -> PRUNE4J_DENSE;
                case TORCH_DENSE, TORCH_CUTLASS, TORCH_CUSPARSELT -> TORCH_DENSE;
            };
        }

        public boolean sparse() {
            return baseline() != this;
        }
    }

    /** The row of the report this result belongs to. */
    public RowKey row() {
        return new RowKey(device, dtype, shape, tokens);
    }

    /** A report row: one shape at one token count, per device and dtype. */
    public record RowKey(String device, String dtype, String shape, int tokens) {}
}
