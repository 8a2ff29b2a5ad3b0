package dev.prune4j.safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Which symbolic links in a checkpoint folder are followed. A model folder is data from elsewhere:
 * a link in it must not make prune4j read, and copy into its output, a file the folder does not
 * hold (a {@code README.md} linked to {@code ~/.ssh/id_ed25519}; a shard linked to some other
 * model). {@link #CONTAINED}, the default, follows a link only when it resolves inside the folder,
 * or inside the {@code blobs} of the same Hugging Face cache repository: the cache keeps
 * {@code models--ORG--NAME/snapshots/REVISION/FILE} as links to {@code ../../blobs/HASH}, and that is
 * where most models sit on disk.
 */
public enum Links {
    /** Follow links that stay inside the folder or its Hugging Face cache repository; refuse the others. */
    CONTAINED,
    /** Follow every link (the user vouches for the folder). */
    ANY;

    /**
     * Throws {@link OutsideLinkException} when {@code entry}, a top-level entry of the checkpoint
     * folder whose real path is {@code realDir}, is a link this policy does not follow. A dangling
     * link passes: it names no file, and the caller treats it as absent.
     */
    void check(Path realDir, Path entry) throws IOException {
        if (this == ANY || !Files.isSymbolicLink(entry)) {
            return;
        }
        Path target;
        try {
            target = entry.toRealPath();
        } catch (NoSuchFileException e) {
            return;
        }
        if (target.startsWith(realDir)) {
            return;
        }
        Optional<Path> blobs = huggingFaceBlobs(realDir);
        if (blobs.isPresent() && target.startsWith(blobs.get())) {
            return;
        }
        throw new OutsideLinkException(entry, Files.readSymbolicLink(entry), target);
    }

    /** {@code .../models--ORG--NAME/blobs} when {@code realDir} lies in that repository's {@code snapshots}. */
    static Optional<Path> huggingFaceBlobs(Path realDir) {
        for (Path p = realDir; p != null && p.getParent() != null; p = p.getParent()) {
            Path repo = p.getParent();
            if (p.getFileName().toString().equals("snapshots") && repo.getFileName() != null
                    && repo.getFileName().toString().matches("(models|datasets|spaces)--.+")) {
                return Optional.of(repo.resolve("blobs"));
            }
        }
        return Optional.empty();
    }

    /** A link in a checkpoint folder that leads outside it. */
    public static final class OutsideLinkException extends SafeTensorsException {
        private final Path link;
        private final Path target;

        OutsideLinkException(Path link, Path linkText, Path target) {
            super(link, null, "is a symbolic link to " + target + (linkText.toString().equals(target.toString()) ? ""
                    : " (" + linkText + ")") + ", outside the checkpoint folder and its Hugging Face cache"
                    + " repository; not followed");
            this.link = link;
            this.target = target;
        }

        /** The link. */
        public Path link() {
            return link;
        }

        /** Where it resolves to. */
        public Path target() {
            return target;
        }
    }
}
