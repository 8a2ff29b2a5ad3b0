package dev.prune4j.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class MaskTest {
    @Test
    void setAlgebraOnKeptWeights() {
        Mask a = Mask.allPruned(2, 5);
        a.keep(0);
        a.keep(3);
        a.keep(9);
        Mask b = Mask.allPruned(2, 5);
        b.keep(3);
        b.keep(4);
        assertEquals(1, a.and(b).count());
        assertEquals(4, a.or(b).count());
        assertEquals(2, a.andNot(b).count());
        assertEquals(7, a.not().count());
        assertEquals(0.3, a.density(), 1e-12);
        assertEquals(0.7, a.sparsity(), 1e-12);
        assertTrue(a.and(b).isSubsetOf(a));
    }

    @Test
    void onDiskFormIsLittleEndianPackedBits() {
        Mask m = Mask.allPruned(11);
        m.keep(0);
        m.keep(9);
        // bit i is bit (i % 8) of byte (i / 8): numpy.unpackbits(b, bitorder="little")
        assertArrayEquals(new byte[] {0b0000_0001, 0b0000_0010}, m.toBytes());
        assertEquals(m, Mask.fromBytes(m.toBytes(), 11));
        assertEquals(11, Mask.allKept(11).count(), "bits past the end stay clear");
        assertThrows(IllegalArgumentException.class, () -> Mask.fromBytes(new byte[] {0, (byte) 0x80}, 11));
        assertThrows(IllegalArgumentException.class, () -> Mask.fromBytes(new byte[] {0}, 11));
    }

    @Test
    void segmentFormMatchesTheByteArrayForm() {
        Mask m = Mask.allPruned(3, 67);
        for (long i = 0; i < m.size(); i += 3) {
            m.keep(i);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(m.toBytes().length);
            m.writeTo(seg);
            assertArrayEquals(m.toBytes(), seg.toArray(ValueLayout.JAVA_BYTE));
            assertEquals(m, Mask.fromSegment(seg, 3, 67));
        }
    }

    @Test
    void shapesMustAgree() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mask.allKept(2, 3).and(Mask.allKept(3, 2)));
        assertTrue(e.getMessage().contains("[2, 3] vs [3, 2]"), e.getMessage());
    }
}
