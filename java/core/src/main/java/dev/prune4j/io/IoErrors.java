package dev.prune4j.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * I/O errors in words. The JDK's file-system exceptions carry the path as their whole message
 * ({@code new AccessDeniedException("/x")} says just {@code /x}) and leave the reason to the class
 * name, which is no message for a user; this says what happened, naming the file.
 */
public final class IoErrors {
    private IoErrors() {}

    /** {@code FILE: permission denied}, {@code no such file or folder: FILE}, ... */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            String file = f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "");
            String reason = f.getReason();
            String kind = switch (f) {
                case NoSuchFileException n -> "no such file or folder";
                case AccessDeniedException a -> "permission denied";
                case FileAlreadyExistsException x -> "already exists";
                case DirectoryNotEmptyException d -> "folder is not empty";
                case NotDirectoryException d -> "is not a folder";
                case NotLinkException l -> "is not a symbolic link";
                case FileSystemLoopException l -> "symbolic links form a loop";
                default -> null;
            };
            if (reason != null && !reason.isBlank()) {
                return file + ": " + reason;
            }
            return kind != null ? file + ": " + kind : file + ": file system error";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? "input/output error" : m;
    }
}
