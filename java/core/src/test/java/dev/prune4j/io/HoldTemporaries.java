package dev.prune4j.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process that is in the middle of writing: an output folder with a file in it and a single
 * temporary file, then "ready" on stdout, then it waits to be killed. For {@link TemporaryFilesProcessTest}.
 */
public final class HoldTemporaries {
    private HoldTemporaries() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        OutputFolder folder = OutputFolder.create(dir.resolve("out"));
        Files.writeString(folder.path().resolve("model.safetensors"), "partial");
        AtomicFiles.createFileBeside(dir.resolve("plot.png"));
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(120_000);
    }
}
