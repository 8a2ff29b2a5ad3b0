package dev.prune4j.model.text;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Data the tests read from installed packages: a missing one skips the test, unless
 * {@code PRUNE4J_REQUIRE_PYTHON=1} (CI, which installs everything), where it fails.
 */
public final class Installed {
    private Installed() {}

    public static boolean required() {
        return "1".equals(System.getenv("PRUNE4J_REQUIRE_PYTHON"));
    }

    /** The located file, or a skipped (in CI: failed) test. */
    public static Path require(PythonPackages.Result located) {
        if (!located.found()) {
            missing(located.problem());
        }
        return located.path();
    }

    /** Skips (in CI: fails) the test, saying why. */
    public static void missing(String why) {
        if (required()) {
            fail(why + " (PRUNE4J_REQUIRE_PYTHON=1)");
        }
        Assumptions.abort(why);
    }
}
