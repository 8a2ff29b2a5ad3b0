package dev.prune4j.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.owl.OwlOptions;
import dev.prune4j.owl.OwlPruner;
import dev.prune4j.prune.LayerPruner;
import dev.prune4j.prune.PruneSpec;
import dev.prune4j.refine.RefinedPruner;
import dev.prune4j.refine.SparseSwaps;
import dev.prune4j.ria.Ria;
import dev.prune4j.ria.RiaPruner;
import dev.prune4j.sparsegpt.SparseGptPruner;
import dev.prune4j.wanda.WandaPruner;
import org.junit.jupiter.api.Test;

class MethodsTest {
    @Test
    void everyListedNameIsTheMethodsOwnName() {
        for (String name : Methods.NAMES) {
            assertEquals(name, Methods.named(name).name());
        }
        for (String refiner : Methods.REFINERS) {
            assertEquals(refiner, Methods.refiner(refiner).name());
        }
    }

    @Test
    void namesCombineOwlABaseAndARefiner() {
        LayerPruner<?> p = Methods.named("owl-sparsegpt+sparseswaps");
        assertEquals("owl-sparsegpt+sparseswaps", p.name());
        OwlPruner<?> owl = assertInstanceOf(OwlPruner.class, p);
        RefinedPruner<?> refined = assertInstanceOf(RefinedPruner.class, owl.base(), "OWL wraps the refined method");
        assertInstanceOf(SparseGptPruner.class, refined.base());
        assertEquals("wanda+sparseswaps", Methods.named("Wanda+SparseSwaps").name());
        assertEquals("owl-wanda+sparseswaps",
                Methods.refined(Methods.named("owl-wanda"), Methods.refiner("sparseswaps")).name(),
                "--refine after an OWL method refines inside it");
        assertEquals(PruneSpec.perRow(0.5), Methods.named("owl-wanda+sparseswaps").defaultSpec(0.5));
    }

    @Test
    void optionsReachTheMethodsTheyConcern() {
        MethodOptions options = MethodOptions.DEFAULT.withRia(new Ria.Options(1.0))
                .withOwl(OwlOptions.DEFAULT.withLambda(0.1).withM(7))
                .withSwaps(SparseSwaps.Options.DEFAULT.withCandidates(0));
        RiaPruner ria = assertInstanceOf(RiaPruner.class, ((OwlPruner<?>) Methods.named("owl-ria", options)).base());
        assertEquals(1.0, ria.options().exponent());
        assertEquals(new OwlOptions(0.1, 7), ((OwlPruner<?>) Methods.named("owl-ria", options)).options());
        SparseSwaps swaps = assertInstanceOf(SparseSwaps.class, Methods.refiner("sparseswaps", options));
        assertEquals(0, swaps.options().candidates());
        assertInstanceOf(WandaPruner.class, Methods.named("wanda", options));
    }

    @Test
    void unknownNamesListWhatThereIs() {
        String m = assertThrows(IllegalArgumentException.class, () -> Methods.named("obs")).getMessage();
        assertEquals("unknown method 'obs' (expected magnitude, wanda, sparsegpt, ria, owl-magnitude, owl-wanda,"
                + " owl-sparsegpt, or [owl-]METHOD+REFINER with a refiner of sparseswaps)", m);
        m = assertThrows(IllegalArgumentException.class, () -> Methods.named("wanda+dsnot")).getMessage();
        assertEquals("unknown refiner 'dsnot' (expected sparseswaps)", m);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Methods.named("owl-owl-wanda")).getMessage()
                .startsWith("unknown method 'owl-owl-wanda'"));
    }
}
