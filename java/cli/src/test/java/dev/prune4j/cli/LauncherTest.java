package dev.prune4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.prune4j.testing.JavaProcess;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./prune4j} launcher: a failure is one line on stderr (the JVM's incubator warning
 * does not come first), and a JVM that fails to start says why instead of "no JDK found". It runs
 * the real script in a copy of the repository's layout whose jar is a manifest pointing at the
 * tests' class path, so nothing is built.
 */
class LauncherTest {
    @TempDir
    static Path root;

    @BeforeAll
    static void layout() throws IOException {
        Path script = Path.of("../../prune4j").toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(script), "the launcher is not at " + script);
        Files.copy(script, root.resolve("prune4j"));
        Path target = Files.createDirectories(root.resolve("java/cli/target"));
        Manifest manifest = new Manifest();
        Attributes a = manifest.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        a.put(Attributes.Name.CLASS_PATH, List.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .stream().map(p -> Path.of(p).toUri().toString()).collect(Collectors.joining(" ")));
        try (OutputStream out = Files.newOutputStream(target.resolve("prune4j-cli-test-all.jar"));
             JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
    }

    private static JavaProcess.Result launch(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", root.resolve("prune4j").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PRUNE4J_JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("PRUNE4J_JAVA_OPTS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        return JavaProcess.finish(pb.start(), 120);
    }

    @Test
    void aFailureIsExactlyOneLineWithoutTheIncubatorWarning() throws Exception {
        JavaProcess.Result r = launch(Map.of(), "analyze", "--input", "/nonexistent/model");
        assertEquals(1, r.status(), r.toString());
        assertEquals("prune4j analyze: /nonexistent/model: no such folder\n", r.err(), r.toString());
    }

    @Test
    void aJvmThatCannotStartSaysSoInItsOwnWords() throws Exception {
        JavaProcess.Result r = launch(Map.of("PRUNE4J_JAVA_OPTS", "-Xmx1k"), "analyze", "--input", "/nonexistent");
        assertNotEquals(0, r.status(), r.toString());
        assertTrue(r.err().contains("Error occurred during initialization of VM"), r.toString());
        assertFalse(r.err().contains("needs a JDK"), r.toString());
    }

    @Test
    void aJdkThatDoesNotStartIsNotReportedAsNoJdk() throws Exception {
        JavaProcess.Result r = launch(Map.of("JAVA_TOOL_OPTIONS", "-XX:+NoSuchOptionForTheTest"), "analyze", "--input", "x");
        assertEquals(1, r.status(), r.toString());
        assertTrue(r.err().startsWith("prune4j: found a JDK that does not start: "), r.toString());
        assertTrue(r.err().contains("Unrecognized VM option 'NoSuchOptionForTheTest'"), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
    }

    @Test
    void theRestOfStderrPassesUnchanged() throws Exception {
        JavaProcess.Result r = launch(Map.of(), "prune", "--input", "/nonexistent", "--output", root.resolve("o").toString(),
                "--sparsity", "0.5", "--pattern", "2:4");
        assertEquals(2, r.status(), r.toString());
        assertEquals("prune4j prune: give exactly one of --sparsity and --pattern (see ./prune4j prune --help)\n", r.err());
    }
}
