package dev.prune4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class Log10BinsTest {
    @Test
    void binsAreHalfDecadesFromMinusEightToTwoWithUnderAndOverflow() {
        assertEquals(22, Log10Bins.COUNT);
        assertEquals(0, Log10Bins.binOf(9.99e-9));
        assertEquals(1, Log10Bins.binOf(1e-8), "lower edges belong to their bin");
        assertEquals(17, Log10Bins.binOf(1.0));
        assertEquals(16, Log10Bins.binOf(0.999));
        assertEquals(18, Log10Bins.binOf(Math.sqrt(10)));
        assertEquals(20, Log10Bins.binOf(99.99));
        assertEquals(21, Log10Bins.binOf(100.0));
        assertEquals(21, Log10Bins.binOf(Float.MAX_VALUE));
        assertEquals("<-8", Log10Bins.label(0));
        assertEquals("[-8.0,-7.5)", Log10Bins.label(1));
        assertEquals("[1.5,2.0)", Log10Bins.label(20));
        assertEquals(">=2", Log10Bins.label(21));
        assertEquals(1.0, Log10Bins.lowerEdge(17));
        assertEquals(Double.POSITIVE_INFINITY, Log10Bins.upperEdge(21));
        assertThrows(IllegalArgumentException.class, () -> Log10Bins.binOf(0.0));
        assertThrows(IllegalArgumentException.class, () -> Log10Bins.binOf(Double.NaN));
    }

    @Property
    void f32FastPathAgreesWithTheDefinition(@ForAll @IntRange(min = 1, max = 0x7F7F_FFFF) int bits) {
        assertEquals(Log10Bins.binOf(Float.intBitsToFloat(bits)), MagnitudeScan.F32Bins.bin(bits));
    }

    @Test
    void f32FastPathAgreesAtEveryEdge() {
        for (int bin = 1; bin < Log10Bins.COUNT; bin++) {
            int edge = Float.floatToRawIntBits((float) Log10Bins.lowerEdge(bin));
            for (int bits = edge - 3; bits <= edge + 3; bits++) {
                assertEquals(Log10Bins.binOf(Float.intBitsToFloat(bits)), MagnitudeScan.F32Bins.bin(bits),
                        "bits " + Integer.toHexString(bits));
            }
        }
    }
}
