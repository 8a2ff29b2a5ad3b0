package dev.prune4j.cuda;

import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.Prune4jH;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The CUDA libraries libprune4j loads at run time (cuBLASLt, cuSPARSELt, cuSOLVER): whether one
 * loads here, and the library's own account of where it came from or every place it looked. Needs
 * libprune4j but no device: the engine lists the kernels of a library only when it loads, and the
 * benchmark and test reports name it when a comparison is skipped.
 */
public final class CudaLibraries {
    private static final int MESSAGE_BYTES = 4096;

    private CudaLibraries() {}

    /** The libraries libprune4j loads at run time ({@code P4J_LIBRARY_*}). */
    public enum Library {
        CUBLASLT(Prune4jH.P4J_LIBRARY_CUBLASLT, "cuBLASLt"),
        CUSPARSELT(Prune4jH.P4J_LIBRARY_CUSPARSELT, "cuSPARSELt"),
        CUSOLVER(Prune4jH.P4J_LIBRARY_CUSOLVER, "cuSOLVER");

        final int code;
        final String label;

        Library(int code, String label) {
            this.code = code;
            this.label = label;
        }
    }

    /** Whether a run-time library loads, and the path it came from or every place it was looked for. */
    public record Status(Library library, boolean available, String message) {
        @Override
        public String toString() {
            return library.label + (available ? " loaded from " : " not available: ") + message;
        }
    }

    /** Loads {@code library} if it was not loaded yet and says where it came from or why not. */
    public static Status status(Library library) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment available = call.allocate(ValueLayout.JAVA_INT);
            MemorySegment message = call.allocate(MESSAGE_BYTES);
            CudaContext.check(Prune4jH.prune4j_library_status(library.code, available, message, MESSAGE_BYTES),
                    "prune4j_library_status(" + library.label + ")");
            return new Status(library, available.get(ValueLayout.JAVA_INT, 0) != 0, message.getString(0));
        }
    }

    /** Whether {@code library} loads here. */
    public static boolean available(Library library) {
        return status(library).available();
    }
}
