package dev.prune4j.calib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Large native allocations are checked against what is available, and refused with the numbers. */
class NativeMemoryTest {
    @Test
    void aHessianOf46000InputsAsksFor8Point5Gigabytes() {
        assertEquals(8_464_000_000L, HessianAccumulator.bytes(46_000));
    }

    @Test
    void tooLargeIsRefusedWithBothNumbers() {
        NativeMemory oneGigabyte = new NativeMemory(() -> 1_000_000_000L);
        oneGigabyte.require(999_999_999L, "fits");
        var e = assertThrows(NativeMemory.InsufficientMemoryException.class,
                () -> oneGigabyte.require(HessianAccumulator.bytes(46_000), "the Hessian of 'w'"));
        assertTrue(e.getMessage().startsWith("the Hessian of 'w' needs 8.46 GB of memory but only 1.00 GB are available"),
                e.getMessage());
        assertEquals(8_464_000_000L, e.needed());
        assertEquals(1_000_000_000L, e.available());
    }

    @Test
    void anAllocationThatFailsAnywayIsTheSameKindOfError() {
        var e = assertThrows(NativeMemory.InsufficientMemoryException.class, () -> NativeMemory.allocating(10, "x",
                () -> {
                    throw new OutOfMemoryError("Unable to allocate 10 bytes");
                }));
        assertTrue(e.getMessage().contains("Unable to allocate 10 bytes"), e.getMessage());
    }

    @Test
    void thisMachineReportsSomething() {
        assertTrue(NativeMemory.system().available() > 0);
    }
}
