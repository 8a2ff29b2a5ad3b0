package dev.prune4j.safetensors;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** Test access to {@link SafeTensorsFile#of}: a file from memory, for the fuzz targets of other packages. */
public final class SafeTensorsFiles {
    private SafeTensorsFiles() {}

    public static SafeTensorsFile of(Path name, Arena arena, MemorySegment content) throws SafeTensorsException {
        return SafeTensorsFile.of(name, arena, content);
    }
}
