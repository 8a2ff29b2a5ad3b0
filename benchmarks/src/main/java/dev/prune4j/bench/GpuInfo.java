package dev.prune4j.bench;

import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.NativeLibrary;
import dev.prune4j.cuda.CudaEngine;
import dev.prune4j.cuda.CudaGemmPlan;
import dev.prune4j.cuda.CudaLibraries;
import dev.prune4j.cuda.CudaLibraries.Library;
import dev.prune4j.engine.EngineUnavailableException;
import java.io.PrintStream;

/**
 * What the GPU script's first stage reports, one fact per line: where libprune4j came from and
 * its ABI, whether cuBLASLt and cuSPARSELt load (and from where, or where they were looked for),
 * and device 0 with its memory, or why there is no usable device. Needs no GPU; exit status 0 when
 * a device is usable, 3 when not, 1 when libprune4j itself does not load.
 */
public final class GpuInfo {
    private GpuInfo() {}

    public static void main(String[] args) {
        System.exit(run(System.out));
    }

    static int run(PrintStream out) {
        out.println("java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", java.desktop " + (ModuleLayer.boot().findModule("java.desktop").isPresent() ? "present" : "absent"));
        if (!NativeLibrary.isAvailable()) {
            out.println("libprune4j: not loadable: " + NativeLibrary.describe());
            return 1;
        }
        out.println("libprune4j: " + NativeLibrary.describe());
        try {
            CudaContext.checkAbiVersion();
            out.println("libprune4j ABI: matches the bindings");
        } catch (RuntimeException e) {
            out.println("libprune4j ABI: " + e.getMessage());
            return 1;
        }
        for (Library lib : Library.values()) {
            out.println(CudaLibraries.status(lib));
        }
        try (CudaEngine engine = CudaEngine.create(0)) {
            CudaContext ctx = engine.context();
            CudaContext.MemoryInfo mem = ctx.memory();
            out.printf("cuda device 0: %s (%s), %.1f of %.1f GiB free%n", ctx.deviceName(), ctx.capability(),
                    mem.freeBytes() / (double) (1L << 30), mem.totalBytes() / (double) (1L << 30));
            return 0;
        } catch (EngineUnavailableException e) {
            out.println("cuda device: none usable: " + e.getMessage());
            return 3;
        }
    }
}
