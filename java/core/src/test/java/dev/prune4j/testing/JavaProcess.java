package dev.prune4j.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A main class run in a JVM of its own, with the tests' class path: for what only a real process
 * shows (signals, a stdout that fails, memory limits, exit statuses).
 */
public final class JavaProcess {
    /** What the JVM prints first when the Vector API module is added; the launcher drops it too. */
    public static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

    private JavaProcess() {}

    /** The java of this JVM. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java [jvmOptions] -cp CLASSPATH main args} with the project's JVM flags. */
    public static List<String> command(List<String> jvmOptions, Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The result of a finished process. */
    public record Result(int status, String out, String err) {
        /** stderr's lines without the JVM's incubator warning. */
        public List<String> errLines() {
            return err.lines().filter(l -> !l.equals(INCUBATOR_WARNING)).collect(Collectors.toList());
        }

        @Override
        public String toString() {
            return "exit " + status + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /** Runs {@code command} to its end (at most {@code seconds}); stdout goes to {@code stdout} when not null. */
    public static Result run(List<String> command, File stdout, long seconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (stdout != null) {
            pb.redirectOutput(stdout);
        }
        Process p = pb.start();
        return finish(p, seconds);
    }

    /** Waits for {@code p} (killing it after {@code seconds}) and collects its output. */
    public static Result finish(Process p, long seconds) throws IOException, InterruptedException {
        var out = new java.util.concurrent.CompletableFuture<String>();
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread.ofVirtual().start(() -> out.complete(read(p.getInputStream())));
        Thread.ofVirtual().start(() -> err.complete(read(p.getErrorStream())));
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("process did not end within " + seconds + " s: " + p.info());
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
