package dev.prune4j.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.prune4j.engine.cpu.CpuEngine;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Device;
import dev.prune4j.tensor.Tensor;
import dev.prune4j.testing.PartialEngine;
import dev.prune4j.wanda.Wanda;
import java.lang.foreign.Arena;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Choosing an engine from prune4j-core alone (the CUDA jar is not on this module's class path),
 * the CPU engine's memory (host tensors are its tensors) and moving work to the CPU.
 */
class EnginesTest {
    @Test
    void theCpuEngineComesFromItsProviderAndAutoFallsBackToIt() {
        assertTrue(Engines.names().containsAll(Set.of("cpu", "cuda", "auto")), Engines.names().toString());
        try (Engine cpu = Engines.create("CPU"); Engine auto = Engines.create("auto")) {
            assertEquals("cpu", cpu.name());
            assertEquals("cpu", auto.name());
            assertEquals(Device.HOST, cpu.device());
            assertEquals(EnumSet.allOf(Kernel.class), cpu.kernels());
        }
    }

    @Test
    void cudaWithoutItsJarSaysWhatToAdd() {
        EngineUnavailableException e = assertThrows(EngineUnavailableException.class, () -> Engines.create("cuda"));
        assertTrue(e.getMessage().contains("prune4j-cuda"), e.getMessage());
    }

    @Test
    void anUnknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engines.checkName("tpu"));
        assertEquals("unknown engine 'tpu' (expected cpu, cuda, auto)", e.getMessage());
    }

    @Test
    void onTheCpuEngineHostTensorsAreEngineTensorsAndNothingIsCopied() {
        try (CpuEngine engine = new CpuEngine(1); Arena arena = Arena.ofConfined(); EngineArena work = engine.openArena()) {
            Tensor host = Tensor.ofFloats(arena, "w", DType.F16, new float[] {1, -2, 3, -4}, 2, 2);
            assertSame(host, work.upload(host));
            assertSame(host, work.outputFor(host));
            work.download(host, host);
            Tensor scratch = work.allocate("s", DType.F32, 3);
            assertEquals(Device.HOST, scratch.device());
            assertEquals(0f, scratch.getFloat(2));
            Tensor copy = Tensor.allocate(arena, "c", DType.F32, 3);
            scratch.setFloat(1, 7f);
            work.download(scratch, copy);
            assertEquals(7f, copy.getFloat(1));
        }
    }

    @Test
    void aDeviceTensorIsRefusedByTheCpuEngineAndUnreadableOnTheHost() {
        Tensor onDevice = Tensor.onDevice("w", DType.F32, new long[] {4}, new Device("cuda", 0),
                java.lang.foreign.MemorySegment.ofAddress(4096));
        assertEquals(16, onDevice.byteSize());
        assertEquals(0, onDevice.data().byteSize(), "zero-length: a host read throws");
        assertThrows(IllegalStateException.class, () -> onDevice.getFloat(0));
        try (CpuEngine engine = new CpuEngine(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> engine.pruneNm(onDevice, 2, 4));
            assertTrue(e.getMessage().contains("cuda:0"), e.getMessage());
        }
    }

    @Test
    void aLeaseKeepsACapableEngineAndMovesTheRestToTheCpu() {
        try (CpuEngine cpu = new CpuEngine(1); Engine masksOnly = new PartialEngine(EnumSet.of(Kernel.PRUNE_NM))) {
            try (EngineLease lease = EngineLease.withKernels(cpu, Wanda.KERNELS, "Wanda")) {
                assertSame(cpu, lease.engine());
                assertFalse(lease.movedToCpu());
            }
            EngineLease lease = EngineLease.withKernels(masksOnly, Wanda.KERNELS, "Wanda");
            Engine moved = lease.engine();
            assertTrue(lease.movedToCpu());
            assertEquals("cpu", moved.name());
            lease.close();
            UnsupportedKernelException e = assertThrows(UnsupportedKernelException.class,
                    () -> masksOnly.wandaScores(null, null, 1, null));
            assertEquals(Kernel.WANDA_SCORES, e.kernel());
            assertTrue(e.getMessage().contains("Wanda scores"), e.getMessage());
        }
    }
}
