package dev.prune4j.io;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Free space, checked before writing: the size of every output is known before its first byte
 * (safetensors fixes the layout up front), so a disk that cannot hold it fails the run at once,
 * with the numbers, instead of after minutes of work with a fault in a mapped write.
 */
public final class FreeSpace {
    /** What a file costs beyond its bytes, at most (the last block, metadata). */
    static final long PER_FILE_SLACK = 64 * 1024;

    private FreeSpace() {}

    /**
     * Throws {@link NotEnoughSpaceException} unless the file system holding {@code dir} has
     * {@code bytes} (plus slack for {@code files} files) free for {@code target}.
     */
    public static void require(Path dir, long bytes, int files, Path target) throws IOException {
        FileStore store = Files.getFileStore(dir);
        long usable = store.getUsableSpace();
        long needed = bytes + PER_FILE_SLACK * Math.max(1, files);
        if (needed > usable) {
            throw new NotEnoughSpaceException(target, needed, usable, store.toString());
        }
    }

    /** Bytes free for us on the file system holding {@code path}; -1 when that cannot be told. */
    public static long usable(Path path) {
        try {
            return Files.getFileStore(path).getUsableSpace();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@code 2.63 MB}, {@code 8.46 GB}: decimal units, three digits. */
    public static String human(long bytes) {
        if (bytes < 1000) {
            return bytes + " bytes";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, units[u]);
    }

    /** The output does not fit on its file system. */
    public static final class NotEnoughSpaceException extends IOException {
        private final long needed;
        private final long usable;

        NotEnoughSpaceException(Path target, long needed, long usable, String store) {
            super(target + ": needs " + human(needed) + " (" + needed + " bytes) but the file system "
                    + store + " has only " + human(usable) + " free");
            this.needed = needed;
            this.usable = usable;
        }

        public long needed() {
            return needed;
        }

        public long usable() {
            return usable;
        }
    }
}
