package dev.prune4j.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a test folder: a real file system that really runs full, for the tests
 * of what a full disk does to a write. Mounting needs root (or a user namespace); where the
 * machine does not allow it, {@link #mount} says why and the test skips itself with that reason.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code bytes} (rounded up to kB) on {@code dir}, or says why it cannot. */
    public static Result mount(Path dir, long bytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String out = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + ((bytes + 1023) / 1024) + "k", "tmpfs",
                dir.toString()));
        if (out != null) {
            return new Result(Optional.empty(), "mount -t tmpfs is not allowed here: " + out.strip());
        }
        return new Result(Optional.of(new Tmpfs(dir)), "");
    }

    /** A mounted tmpfs, or the reason there is none. */
    public record Result(Optional<Tmpfs> tmpfs, String whyNot) {}

    public Path dir() {
        return dir;
    }

    /** Fills the file system up to {@code leftFree} bytes with a file named {@code name}. */
    public void fill(String name, long leftFree) throws IOException {
        long free = Files.getFileStore(dir).getUsableSpace();
        long size = Math.max(0, free - leftFree);
        byte[] block = new byte[64 * 1024];
        try (var out = Files.newOutputStream(dir.resolve(name))) {
            for (long done = 0; done < size; done += block.length) {
                out.write(block, 0, (int) Math.min(block.length, size - done));
            }
        } catch (IOException full) {
            // the last block did not fit: full is what was asked
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        String out = run(List.of("umount", "-l", dir.toString()));
        if (out != null) {
            throw new IOException("umount " + dir + ": " + out);
        }
    }

    /** Null on success, else what the command said. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
    }
}
