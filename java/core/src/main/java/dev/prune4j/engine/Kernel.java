package dev.prune4j.engine;

/**
 * The kernels an {@link Engine} may offer. {@link Engine#kernels()} lists the ones an engine has;
 * asking for another throws {@link UnsupportedKernelException}. An algorithm that needs kernels an
 * engine lacks is placed on the CPU engine as a whole ({@link EngineLease}), never kernel by kernel.
 */
public enum Kernel {
    MAGNITUDE_HISTOGRAM("magnitude histogram"),
    PRUNE_BELOW("prune below a threshold"),
    PRUNE_SMALLEST_PER_ROW("per-row selection"),
    PRUNE_NM("N:M selection"),
    APPLY_MASK("apply mask"),
    SQUARED_NORMS("activation squared norms"),
    HESSIAN_UPDATE("Hessian update"),
    WANDA_SCORES("Wanda scores"),
    CHOLESKY_INVERSE("Cholesky inverse"),
    OBS_SCORES("OBS scores"),
    OBS_BLOCK("OBS block"),
    TRAILING_UPDATE("OBS trailing update"),
    QUADRATIC_FORM("quadratic form"),
    RIA_SCORES("RIA scores"),
    SCORE_SUM("score sum"),
    COUNT_ABOVE("count above a threshold"),
    HESSIAN_PRODUCT("rows times Hessian"),
    MASK_SWAPS("mask swaps");

    private final String description;

    Kernel(String description) {
        this.description = description;
    }

    /** Words for messages: {@code Wanda scores}. */
    public String description() {
        return description;
    }
}
