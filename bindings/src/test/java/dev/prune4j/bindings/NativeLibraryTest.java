package dev.prune4j.bindings;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the loader looks, and what it says when it finds nothing. */
class NativeLibraryTest {
    private static final ClassLoader EMPTY = new URLClassLoader(new URL[0], null);

    /** native/build/libprune4j.so when native/build.sh has run (the pom passes its folder). */
    private static Path builtLibrary() {
        String dir = System.getProperty("prune4j.native.build", "");
        Path lib = Path.of(dir, NativeLibrary.FILE_NAME);
        return !dir.isEmpty() && Files.isRegularFile(lib) ? lib : null;
    }

    @Test
    void anEnvironmentVariableNamingNoFileIsAnError() {
        NativeLibrary.Loaded l = NativeLibrary.load("/no/such/libprune4j.so", EMPTY, "", "Linux", "amd64");
        assertNull(l.lookup());
        assertTrue(l.failure().contains("PRUNE4J_NATIVE_LIB=/no/such/libprune4j.so"), l.failure());
    }

    @Test
    void nothingFoundListsEveryPlaceTried(@TempDir Path empty) {
        NativeLibrary.Loaded l = NativeLibrary.load(null, EMPTY, empty.toString(), "Linux", "amd64");
        assertNull(l.lookup());
        assertTrue(l.failure().contains("PRUNE4J_NATIVE_LIB is not set"), l.failure());
        assertTrue(l.failure().contains(NativeLibrary.RESOURCE), l.failure());
        assertTrue(l.failure().contains(empty.toString()), l.failure());
    }

    @Test
    void otherPlatformsAreRefused() {
        NativeLibrary.Loaded l = NativeLibrary.load(null, EMPTY, "", "Mac OS X", "aarch64");
        assertTrue(l.failure().contains("Linux x86-64 only"), l.failure());
    }

    @Test
    void aFileThatIsNoLibraryIsReportedWithItsPath(@TempDir Path dir) throws IOException {
        Path bogus = Files.write(dir.resolve(NativeLibrary.FILE_NAME), new byte[0]);
        NativeLibrary.Loaded l = NativeLibrary.load(null, EMPTY, dir.toString(), "Linux", "amd64");
        assertNull(l.lookup());
        assertTrue(l.failure().contains("cannot load " + bogus), l.failure());
    }

    @Test
    void loadsFromTheEnvironmentVariableAndFindsTheAbi() {
        Path lib = builtLibrary();
        assumeTrue(lib != null, "native/build/libprune4j.so not built (run native/build.sh)");
        NativeLibrary.Loaded l = NativeLibrary.load(lib.toString(), EMPTY, "", "Linux", "amd64");
        assertNotNull(l.lookup(), l.failure());
        assertTrue(l.lookup().find("prune4j_abi_version").isPresent());
        assertTrue(l.source().startsWith("PRUNE4J_NATIVE_LIB"), l.source());
    }

    @Test
    void loadsFromAJarResourceBeforeTheLibraryPath(@TempDir Path classes) throws IOException {
        Path lib = builtLibrary();
        assumeTrue(lib != null, "native/build/libprune4j.so not built (run native/build.sh)");
        Path resource = classes.resolve(NativeLibrary.RESOURCE);
        Files.createDirectories(resource.getParent());
        Files.copy(lib, resource);
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
            NativeLibrary.Loaded l = NativeLibrary.load(null, loader, lib.getParent().toString(), "Linux", "amd64");
            assertNotNull(l.lookup(), l.failure());
            assertTrue(l.source().contains("class-path resource"), l.source());
            assertTrue(l.lookup().find("prune4j_prune_nm").isPresent());
        }
    }
}
