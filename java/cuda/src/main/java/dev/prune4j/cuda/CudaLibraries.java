package dev.prune4j.cuda;

import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.Prune4jH;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The CUDA libraries libprune4j loads at run time (cuBLASLt, cuSOLVER, cuSPARSELt): whether one
 * loads here, and the library's own account of where it looked. Needs no device.
 */
final class CudaLibraries {
    private static final int MESSAGE_BYTES = 4096;

    private CudaLibraries() {}

    /** Whether {@code library} ({@code P4J_LIBRARY_*}) loads here. */
    static boolean available(int library) {
        return status(library).available();
    }

    /** Where {@code library} was found, or every place the library looked. */
    static Status status(int library) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment available = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment message = arena.allocate(MESSAGE_BYTES);
            CudaContext.check(Prune4jH.prune4j_library_status(library, available, message, MESSAGE_BYTES),
                    "prune4j_library_status(" + library + ")");
            return new Status(available.get(ValueLayout.JAVA_INT, 0) != 0, message.getString(0));
        }
    }

    record Status(boolean available, String message) {}
}
