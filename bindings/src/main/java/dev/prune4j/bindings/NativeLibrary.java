package dev.prune4j.bindings;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds and loads {@code libprune4j.so}, once per JVM, from the first of:
 * <ol>
 *   <li>the file named by the environment variable {@value #ENV} (an error when it is set but
 *       does not load: someone asked for that file);</li>
 *   <li>the class-path resource {@value #RESOURCE}, which the core jar carries when the native
 *       library was built, copied to a temporary file first;</li>
 *   <li>a folder of {@code java.library.path}.</li>
 * </ol>
 * When none works, {@link #lookup()} throws with one message that says what was tried.
 */
public final class NativeLibrary {
    public static final String ENV = "PRUNE4J_NATIVE_LIB";
    public static final String RESOURCE = "META-INF/native/linux-x86_64/libprune4j.so";
    static final String FILE_NAME = "libprune4j.so";

    private NativeLibrary() {}

    /** The outcome of one load attempt: a lookup and where it came from, or why there is none. */
    record Loaded(SymbolLookup lookup, String source, String failure) {
        static Loaded failed(String why) {
            return new Loaded(null, null, why);
        }
    }

    private static final class Holder {
        static final Loaded LOADED = load(System.getenv(ENV), contextLoader(),
                System.getProperty("java.library.path", ""), System.getProperty("os.name", ""),
                System.getProperty("os.arch", ""));
    }

    /** The symbols of the loaded library. */
    public static SymbolLookup lookup() {
        Loaded l = Holder.LOADED;
        if (l.lookup() == null) {
            throw new NativeLibraryUnavailableException(l.failure());
        }
        return l.lookup();
    }

    /** True when the library loaded. */
    public static boolean isAvailable() {
        return Holder.LOADED.lookup() != null;
    }

    /** Where the library came from, or why it did not load. */
    public static String describe() {
        Loaded l = Holder.LOADED;
        return l.lookup() != null ? l.source() : l.failure();
    }

    /** A downcall handle for {@code name}; {@code critical} only for short calls that never block. */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor, boolean critical) {
        MemorySegment address = lookup().find(name).orElseThrow(() -> new NativeLibraryUnavailableException(
                "libprune4j from " + describe() + " has no symbol " + name + ": the library is older than the bindings"));
        Linker linker = Linker.nativeLinker();
        return critical
                ? linker.downcallHandle(address, descriptor, Linker.Option.critical(false))
                : linker.downcallHandle(address, descriptor);
    }

    static Loaded load(String env, ClassLoader loader, String libraryPath, String osName, String osArch) {
        String os = osName.toLowerCase(Locale.ROOT);
        String arch = osArch.toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return Loaded.failed("libprune4j is built for Linux x86-64 only, this is " + osName + " " + osArch);
        }
        if (env != null && !env.isBlank()) {
            Path path = Path.of(env);
            if (!Files.isRegularFile(path)) {
                return Loaded.failed(ENV + "=" + env + " names no file");
            }
            return open(path, ENV + "=" + env);
        }
        List<String> tried = new ArrayList<>();
        tried.add(ENV + " is not set");
        if (loader != null && loader.getResource(RESOURCE) != null) {
            try {
                return openResource(loader);
            } catch (IOException e) {
                return Loaded.failed("cannot copy the class-path resource " + RESOURCE + " to a temporary file: " + e);
            }
        }
        tried.add("no class-path resource " + RESOURCE + " (the jar was built without the native library)");
        for (String dir : libraryPath.split(java.io.File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, FILE_NAME);
            if (Files.isRegularFile(candidate)) {
                return open(candidate, "java.library.path " + candidate);
            }
        }
        tried.add("no " + FILE_NAME + " in java.library.path [" + libraryPath + "]");
        return Loaded.failed("libprune4j not found: " + String.join("; ", tried));
    }

    private static Loaded openResource(ClassLoader loader) throws IOException {
        Path tmp = Files.createTempFile("libprune4j-", ".so");
        try (InputStream in = loader.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IOException("resource vanished: " + RESOURCE);
            }
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            // dlopen keeps the mapping after the file is gone, so no temporary file outlives us.
            return open(tmp, "class-path resource " + RESOURCE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Loaded open(Path path, String source) {
        try {
            return new Loaded(SymbolLookup.libraryLookup(path, Arena.global()), source, null);
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return Loaded.failed("cannot load " + path + " (" + source + "): " + e.getMessage());
        }
    }

    private static ClassLoader contextLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : NativeLibrary.class.getClassLoader();
    }
}
