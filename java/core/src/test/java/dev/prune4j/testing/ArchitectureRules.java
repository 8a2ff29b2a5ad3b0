package dev.prune4j.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The architecture rules every module checks on its own main classes (ARCHITECTURE: no package
 * cycles; {@code internal} packages are used only by the module that holds them). Each module's
 * {@code ArchitectureTest} calls {@link #check} with one of its classes.
 */
public final class ArchitectureRules {
    private ArchitectureRules() {}

    /** The main classes of the module that {@code anchor} belongs to (its {@code target/classes} or jar). */
    public static JavaClasses mainClassesOf(Class<?> anchor) {
        try {
            Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            return new ClassFileImporter().importPath(location);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("no class path location for " + anchor, e);
        }
    }

    /** The packages {@code classes} live in. */
    public static Set<String> packagesOf(JavaClasses classes) {
        Set<String> packages = new TreeSet<>();
        for (JavaClass c : classes) {
            packages.add(c.getPackageName());
        }
        return packages;
    }

    /** No cycle between the module's packages, and no use of another module's {@code internal} packages. */
    public static void check(Class<?> anchor) {
        JavaClasses classes = mainClassesOf(anchor);
        if (classes.isEmpty()) {
            throw new IllegalStateException("no classes found beside " + anchor);
        }
        slices().matching("dev.prune4j.(**)").should().beFreeOfCycles().check(classes);
        Set<String> own = packagesOf(classes);
        noClasses().should().dependOnClassesThat(
                        com.tngtech.archunit.base.DescribedPredicate.describe("are in another module's internal package",
                                (JavaClass c) -> c.getPackageName().contains(".internal")
                                        && c.getPackageName().startsWith("dev.prune4j.")
                                        && !own.contains(c.getPackageName())))
                .because("internal packages are the implementation of the module that holds them")
                .check(classes);
    }
}
