package dev.prune4j.safetensors;

import dev.prune4j.io.FreeSpace;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;

/**
 * Faults in memory-mapped files, told apart and named. prune4j reads and writes safetensors through
 * mappings; when the kernel cannot back a mapped page (the file was truncated while mapped, or a
 * write needs a block on a full disk), the JVM turns the SIGBUS into an {@link InternalError}
 * ("a fault occurred in an unsafe memory access"), which names neither the file nor the cause.
 * {@link #explain} finds both: an input that shrank since it was opened, else an output whose
 * file system is full, else the files involved.
 */
public final class MappedFaults {
    /**
     * A file system with less free space than this, while the faulting file still takes its
     * space, counts as full: a mapped write faults when no block is left for its page.
     */
    static final long FULL_BELOW = 4L * 1024 * 1024;

    private MappedFaults() {}

    /** True when {@code t}, or one of its causes, is the JVM's error for a faulting mapped access. */
    public static boolean isMappedFault(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InternalError && c.getMessage() != null && c.getMessage().contains("unsafe memory access")) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /**
     * The fault {@code fault} as an error naming its file: one of {@code read} that shrank, or one
     * of {@code written} whose file system has no space left.
     */
    public static SafeTensorsException explain(Throwable fault, Collection<SafeTensorsFile> read,
                                               Collection<Path> written) {
        for (SafeTensorsFile f : read) {
            Optional<String> shrunk = f.shrunk();
            if (shrunk.isPresent()) {
                return new SafeTensorsException(f.path(), null, shrunk.get(), fault);
            }
        }
        for (Path w : written) {
            long free = FreeSpace.usable(w.toAbsolutePath().getParent());
            if (free >= 0 && free < FULL_BELOW) {
                return new SafeTensorsException(w, null, "writing it failed: its file system is full ("
                        + FreeSpace.human(free) + " free)", fault);
            }
        }
        StringBuilder files = new StringBuilder();
        for (SafeTensorsFile f : read) {
            files.append(files.isEmpty() ? "" : ", ").append(f.path());
        }
        for (Path w : written) {
            files.append(files.isEmpty() ? "" : ", ").append(w);
        }
        Path first = !read.isEmpty() ? read.iterator().next().path() : !written.isEmpty() ? written.iterator().next() : Path.of(".");
        return new SafeTensorsException(first, null, "a memory-mapped read or write failed (an I/O error, a file"
                + " truncated meanwhile, or a full disk); files in use: " + files, fault);
    }
}
