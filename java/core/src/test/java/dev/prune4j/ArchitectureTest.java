package dev.prune4j;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.prune4j.engine.Engine;
import dev.prune4j.testing.ArchitectureRules;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The shape of prune4j-core: the rules of ARCHITECTURE.md that a compiler does not check. */
class ArchitectureTest {
    private static final JavaClasses CORE = ArchitectureRules.mainClassesOf(Engine.class);

    @Test
    void noPackageCyclesAndNoForeignInternals() {
        ArchitectureRules.check(Engine.class);
    }

    @Test
    void theCoreDependsOnNothingButTheJdk() {
        noClasses().should().dependOnClassesThat().resideOutsideOfPackages("dev.prune4j..", "java..",
                        "jdk.incubator.vector..")
                .because("prune4j-core has no runtime dependency").check(CORE);
        noClasses().should().dependOnClassesThat().resideInAnyPackage("java.awt..", "javax.imageio..", "javax.swing..")
                .because("drawing lives in the command line, not in the library").check(CORE);
    }

    @Test
    void theLibraryHasNoGlobalSideEffects() {
        noClasses().should().callMethod(System.class, "exit", int.class)
                .because("a library never ends the JVM").check(CORE);
        noClasses().should().callMethod(System.class, "setProperty", String.class, String.class)
                .because("a library never changes the JVM's settings (java.awt.headless, ...)").check(CORE);
    }

    @Test
    void theModuleExportsEveryApiPackageAndNoInternalOne() throws Exception {
        ModuleDescriptor descriptor;
        try (InputStream in = Engine.class.getProtectionDomain().getCodeSource().getLocation().toURI()
                .resolve("module-info.class").toURL().openStream()) {
            descriptor = ModuleDescriptor.read(in);
        }
        assertEquals("dev.prune4j.core", descriptor.name());
        Set<String> exported = descriptor.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> packages = ArchitectureRules.packagesOf(CORE);
        for (String p : packages) {
            boolean internal = p.contains(".internal");
            assertEquals(!internal, exported.contains(p), p + (internal ? " is internal" : " is API") + "; exports " + exported);
        }
        assertFalse(descriptor.requires().stream().anyMatch(r -> !r.name().startsWith("java.") && !r.name().startsWith("jdk.")),
                "requires " + descriptor.requires());
        assertTrue(descriptor.uses().contains("dev.prune4j.engine.EngineProvider"));
    }
}
