package dev.prune4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.mask.Mask;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MaskSimilarityTest {
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void jaccardDistanceOfKnownZeroPatterns(DType dtype) {
        try (Arena arena = Arena.ofConfined()) {
            // zeros of a at {0, 1, 2, 5}, of b at {1, 2, 3, 6} (b's zero at 1 is -0.0): both at {1, 2}
            Tensor a = Tensor.ofFloats(arena, "w", dtype, new float[] {0, 0, 0, 1, 2, 0, 3, 4, 5}, 3, 3);
            Tensor b = Tensor.ofFloats(arena, "w", dtype, new float[] {1, -0f, 0, 0, 2, 3, 0, 4, 5}, 3, 3);
            ZeroOverlap o = MaskSimilarity.of(a, b);
            assertEquals(9, o.size());
            assertEquals(4, o.zerosA());
            assertEquals(4, o.zerosB());
            assertEquals(2, o.intersection());
            assertEquals(6, o.union());
            assertEquals(1 - 2.0 / 6, o.jaccardDistance(), 1e-15);
            assertEquals(0.0, MaskSimilarity.of(a, a).jaccardDistance(), "a pattern is at distance 0 from itself");
        }
    }

    @Test
    void bothPatternsEmptyIsDistanceZeroAndDisjointPatternsAreDistanceOne() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor dense = Tensor.ofFloats(arena, "w", DType.F32, new float[] {1, 2, 3}, 3);
            ZeroOverlap none = MaskSimilarity.of(dense, dense);
            assertEquals(0, none.union());
            assertEquals(0.0, none.jaccardDistance());

            Tensor a = Tensor.ofFloats(arena, "w", DType.F16, new float[] {0, 1, 1}, 3);
            Tensor b = Tensor.ofFloats(arena, "w", DType.F32, new float[] {1, 0, 1}, 3);
            assertEquals(1.0, MaskSimilarity.of(a, b).jaccardDistance(), "F16 against F32 compares positions");
            assertEquals(1.0, MaskSimilarity.of(a, dense.withName("w")).jaccardDistance(),
                    "zeros on one side only: union 1, intersection 0");
        }
    }

    @Test
    void overallCountsOverAllPositionsNotTheMeanOfTensors() {
        try (Arena arena = Arena.ofConfined()) {
            // small: identical patterns (distance 0); large: 1 shared zero of 3 in the union (distance 2/3)
            Tensor smallA = Tensor.ofFloats(arena, "small", DType.F32, new float[] {0, 1}, 2);
            Tensor largeA = Tensor.ofFloats(arena, "large", DType.F32, new float[] {0, 0, 1, 1, 1, 1}, 6);
            Tensor largeB = Tensor.ofFloats(arena, "large", DType.F32, new float[] {0, 1, 0, 1, 1, 1}, 6);
            Tensor onlyA = Tensor.ofFloats(arena, "only_a", DType.F32, new float[] {0}, 1);
            Tensor onlyB = Tensor.ofFloats(arena, "only_b", DType.F32, new float[] {0}, 1);
            Tensor ids = Tensor.allocate(arena, "ids", DType.I64, 2);
            MaskSimilarity s = MaskSimilarity.compare(List.of(smallA, largeA, onlyA, ids), List.of(onlyB, largeB, smallA, ids));

            assertEquals(List.of("small", "large"), s.tensors().stream().map(ZeroOverlap::name).toList());
            assertEquals(0.0, s.tensors().get(0).jaccardDistance());
            assertEquals(2.0 / 3, s.tensors().get(1).jaccardDistance(), 1e-15);
            ZeroOverlap all = s.overall();
            assertEquals(MaskSimilarity.OVERALL, all.name());
            assertEquals(8, all.size());
            assertEquals(2, all.intersection());
            assertEquals(4, all.union());
            assertEquals(0.5, all.jaccardDistance(), "1 - 2/4, not the mean (0 + 2/3) / 2");
            assertEquals(List.of("only_a"), s.onlyInA());
            assertEquals(List.of("only_b"), s.onlyInB());
            assertEquals(List.of("ids"), s.skipped().stream().map(SkippedTensor::name).toList());
        }
    }

    @Test
    void shapeMismatchNamesTheTensorAndBothShapes() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor a = Tensor.allocate(arena, "model.layers.0.mlp.up_proj.weight", DType.F16, 4, 6);
            Tensor b = Tensor.allocate(arena, "model.layers.0.mlp.up_proj.weight", DType.F16, 6, 4);
            var e = assertThrows(IllegalArgumentException.class, () -> MaskSimilarity.compare(List.of(a), List.of(b)));
            assertEquals("tensor 'model.layers.0.mlp.up_proj.weight' has shape [4, 6] in A but [6, 4] in B",
                    e.getMessage());
            var m = assertThrows(IllegalArgumentException.class,
                    () -> MaskSimilarity.of("m", Mask.allKept(2, 3), Mask.allKept(3, 2)));
            assertTrue(m.getMessage().contains("'m'"), m.getMessage());
        }
    }

    @Test
    void masksCompareTheirPrunedSets() {
        Mask a = Mask.allKept(2, 50); // 100 bits: the last word is partly past the end
        Mask b = Mask.allKept(2, 50);
        for (int i : new int[] {0, 1, 2, 70, 99}) {
            a.prune(i);
        }
        for (int i : new int[] {1, 2, 3, 99}) {
            b.prune(i);
        }
        ZeroOverlap o = MaskSimilarity.of("w", a, b);
        assertEquals(5, o.zerosA());
        assertEquals(4, o.zerosB());
        assertEquals(3, o.intersection(), "1, 2 and 99");
        assertEquals(6, o.union());
        assertEquals(0.5, o.jaccardDistance());
        assertEquals(0.0, MaskSimilarity.of("dense", Mask.allKept(7), Mask.allKept(7)).jaccardDistance());

        Map<String, Mask> ma = new LinkedHashMap<>();
        ma.put("w", a);
        ma.put("x", Mask.allPruned(3));
        Map<String, Mask> mb = Map.of("w", b, "y", Mask.allKept(1));
        MaskSimilarity s = MaskSimilarity.compareMasks(ma, mb);
        assertEquals(o, s.tensors().get(0));
        assertEquals(List.of("x"), s.onlyInA());
        assertEquals(List.of("y"), s.onlyInB());
        assertEquals(0.5, s.overall().jaccardDistance());
    }

    /** Tensor and mask paths agree with a per-element count, across lanes, tails and tasks. */
    @Property(tries = 30)
    void wordAtATimeCountsMatchAPerElementCount(@ForAll @IntRange(min = 1, max = 3000) int n,
                                                @ForAll("dtypes") DType da, @ForAll("dtypes") DType db,
                                                @ForAll long seed) {
        try (Arena arena = Arena.ofShared(); CpuEngine engine = new CpuEngine(2)) {
            SplittableRandom rnd = new SplittableRandom(seed);
            Tensor a = Tensor.allocate(arena, "w", da, n);
            Tensor b = Tensor.allocate(arena, "w", db, n);
            Mask ma = Mask.allKept(n);
            Mask mb = Mask.allKept(n);
            long za = 0, zb = 0, both = 0;
            for (int i = 0; i < n; i++) {
                boolean x = rnd.nextInt(3) == 0;
                boolean y = rnd.nextInt(3) == 0;
                a.setFloat(i, x ? (rnd.nextBoolean() ? 0f : -0f) : (float) rnd.nextGaussian() + 3f);
                b.setFloat(i, y ? -0f : -(float) rnd.nextDouble() - 1e-3f);
                if (x) ma.prune(i);
                if (y) mb.prune(i);
                za += x ? 1 : 0;
                zb += y ? 1 : 0;
                both += x && y ? 1 : 0;
            }
            ZeroOverlap expected = new ZeroOverlap("w", new long[] {n}, n, za, zb, both);
            assertEquals(expected, MaskSimilarity.of(a, b, engine));
            assertEquals(expected, MaskSimilarity.of("w", ma, mb));
        }
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<DType> dtypes() {
        return net.jqwik.api.Arbitraries.of(DType.F32, DType.F16, DType.BF16);
    }

    @Test
    void largeTensorsAreCountedAcrossTasks() {
        int n = 2_500_001;
        try (Arena arena = Arena.ofShared()) {
            Tensor a = Tensor.allocate(arena, "w", DType.BF16, n);
            Tensor b = Tensor.allocate(arena, "w", DType.BF16, n);
            long both = 0, za = 0, zb = 0;
            for (int i = 0; i < n; i++) {
                boolean x = i % 3 == 0;
                boolean y = i % 5 == 0;
                a.setFloat(i, x ? 0f : 1f);
                b.setFloat(i, y ? 0f : 1f);
                za += x ? 1 : 0;
                zb += y ? 1 : 0;
                both += x && y ? 1 : 0;
            }
            ZeroOverlap o = MaskSimilarity.of(a, b);
            assertEquals(za, o.zerosA());
            assertEquals(zb, o.zerosB());
            assertEquals(both, o.intersection());
        }
    }
}
