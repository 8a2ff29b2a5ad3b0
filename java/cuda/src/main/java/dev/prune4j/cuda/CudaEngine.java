package dev.prune4j.cuda;

import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.DeviceBuffer;
import dev.prune4j.bindings.NativeLibrary;
import dev.prune4j.bindings.NativeLibraryUnavailableException;
import dev.prune4j.bindings.Prune4jException;
import dev.prune4j.bindings.Prune4jH;
import dev.prune4j.engine.Engine;
import dev.prune4j.engine.EngineArena;
import dev.prune4j.engine.EngineUnavailableException;
import dev.prune4j.engine.Kernel;
import dev.prune4j.engine.UnsupportedKernelException;
import dev.prune4j.mask.KeySpace;
import dev.prune4j.mask.Mask;
import dev.prune4j.mask.RadixPass;
import dev.prune4j.mask.ThresholdMask;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Device;
import dev.prune4j.tensor.NotANumberException;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;

/**
 * The CUDA engine: the kernels of {@code libprune4j} (native/src) called through the FFM bindings,
 * on tensors that live on the device ({@link #openArena()} allocates and moves them). A kernel call
 * moves only mask words (1 bit per weight) and small results across the bus, never a tensor, so
 * algorithms that keep a layer resident move it once each way. Masks are bit-identical to the CPU
 * engine's.
 *
 * <p>Kernels: magnitude selection, Wanda's scores, the calibration statistics and SparseGPT's
 * (Cholesky inverse, OBS scores and blocks, trailing update, quadratic form). The ones that need
 * cuBLASLt or cuSOLVER (loaded at run time) are listed in {@link #kernels()} only when the library
 * loads here; otherwise an algorithm that needs them runs on the CPU engine ({@code EngineLease}).
 * Calls are serialised on the {@link CudaContext}, the one lock of the device's stream.
 *
 * <p>{@link #create()} refuses with an {@link EngineUnavailableException} that says why when the
 * native library does not load, there is no driver or no device, so {@code auto} falls back.
 */
public final class CudaEngine implements Engine {
    /** Kernels of libprune4j's own: always there with the library. */
    private static final Set<Kernel> OWN = EnumSet.of(Kernel.MAGNITUDE_HISTOGRAM, Kernel.PRUNE_BELOW,
            Kernel.PRUNE_SMALLEST_PER_ROW, Kernel.PRUNE_NM, Kernel.APPLY_MASK, Kernel.SQUARED_NORMS,
            Kernel.WANDA_SCORES, Kernel.OBS_SCORES, Kernel.OBS_BLOCK);
    /** Kernels that are cuBLASLt GEMMs. */
    private static final Set<Kernel> ON_CUBLASLT = EnumSet.of(Kernel.HESSIAN_UPDATE, Kernel.TRAILING_UPDATE,
            Kernel.QUADRATIC_FORM);

    private final CudaContext context;
    private final Device device;
    private final String description;
    private final Set<Kernel> kernels;
    private LinearKernels linearKernels;

    private CudaEngine(CudaContext context, Device device, String description, Set<Kernel> kernels) {
        this.context = context;
        this.device = device;
        this.description = description;
        this.kernels = kernels;
    }

    /** An engine on CUDA device 0. */
    public static CudaEngine create() {
        return create(0);
    }

    /** An engine on CUDA device {@code device}. */
    public static CudaEngine create(int device) {
        try {
            NativeLibrary.lookup();
            CudaContext.checkAbiVersion();
        } catch (NativeLibraryUnavailableException e) {
            throw new EngineUnavailableException("the native library cannot be used: " + e.getMessage(), e);
        }
        int count;
        try {
            count = CudaContext.deviceCount();
        } catch (Prune4jException e) {
            throw new EngineUnavailableException("no usable CUDA driver: " + e.getMessage(), e);
        }
        if (count == 0) {
            throw new EngineUnavailableException("the CUDA driver reports no device");
        }
        if (device < 0 || device >= count) {
            throw new EngineUnavailableException("no CUDA device " + device + " (" + count + " found)");
        }
        CudaContext context;
        try {
            context = CudaContext.open(device);
        } catch (Prune4jException e) {
            throw new EngineUnavailableException("cannot open CUDA device " + device + ": " + e.getMessage(), e);
        }
        try {
            String description = "cuda (device " + device + ": " + context.deviceName() + ", " + context.capability()
                    + ", libprune4j from " + NativeLibrary.describe() + ")";
            return new CudaEngine(context, new Device("cuda", device), description, availableKernels());
        } catch (RuntimeException e) {
            context.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Set<Kernel> kernels() {
        return kernels;
    }

    /** libprune4j's own kernels, and those of the run-time libraries that load here. */
    private static Set<Kernel> availableKernels() {
        Set<Kernel> k = EnumSet.copyOf(OWN);
        if (CudaLibraries.available(CudaLibraries.Library.CUBLASLT)) {
            k.addAll(ON_CUBLASLT);
        }
        if (CudaLibraries.available(CudaLibraries.Library.CUSOLVER)) {
            k.add(Kernel.CHOLESKY_INVERSE);
        }
        return java.util.Collections.unmodifiableSet(k);
    }

    @Override
    public EngineArena openArena() {
        return new CudaArena(this, context);
    }

    @Override
    public long freeMemoryBytes() {
        return context.memory().freeBytes();
    }

    /** The device context, for tests that watch device memory and for the GEMM plans. */
    public CudaContext context() {
        return context;
    }

    /**
     * The linear-layer GEMMs on this engine's device (cuBLASLt, CUTLASS 2:4, decode kernel); dtypes
     * the GPU does not take run on the CPU kernels, the default of every engine.
     */
    @Override
    public synchronized LinearKernels linearKernels() {
        if (linearKernels == null) {
            linearKernels = new CudaLinearKernels(context, description, Engine.super.linearKernels());
        }
        return linearKernels;
    }

    @Override
    public void magnitudeHistogram(Tensor t, Mask live, KeySpace keys, RadixPass pass, long[] histogram) {
        requireResident(t);
        synchronized (context) {
            try (Arena arena = Arena.ofConfined();
                 DeviceBuffer liveWords = uploadOrNull(live);
                 DeviceBuffer hist = context.allocate(8L * pass.buckets())) {
                context.memset(hist, 0, hist.byteSize());
                MemorySegment nanIndex = arena.allocate(ValueLayout.JAVA_LONG);
                int status = Prune4jH.prune4j_magnitude_histogram(context.handle(), t.data(), dtypeCode(t),
                        t.numel(), pointerOrNull(liveWords), keySpaceCode(keys), pass.shift(), pass.bits(),
                        pass.prefix(), hist.pointer(), nanIndex);
                checkNan(status, t, nanIndex, "prune4j_magnitude_histogram");
                MemorySegment counts = arena.allocate(hist.byteSize(), 8);
                context.copyToHost(hist, 0, counts);
                for (int b = 0; b < pass.buckets(); b++) {
                    histogram[b] += counts.getAtIndex(ValueLayout.JAVA_LONG, b);
                }
            }
        }
    }

    @Override
    public ThresholdMask pruneBelow(Tensor t, Mask live, KeySpace keys, int threshold, long tiesToPrune) {
        requireResident(t);
        Mask out = Mask.allPruned(t.shape());
        synchronized (context) {
            try (Arena arena = Arena.ofConfined();
                 DeviceBuffer liveWords = uploadOrNull(live);
                 DeviceBuffer maskWords = context.allocate(maskBytes(out))) {
                MemorySegment tiesPruned = arena.allocate(ValueLayout.JAVA_LONG);
                MemorySegment nanIndex = arena.allocate(ValueLayout.JAVA_LONG);
                int status = Prune4jH.prune4j_prune_below(context.handle(), t.data(), dtypeCode(t), t.numel(),
                        pointerOrNull(liveWords), keySpaceCode(keys), threshold, Math.max(0, tiesToPrune),
                        maskWords.pointer(), tiesPruned, nanIndex);
                checkNan(status, t, nanIndex, "prune4j_prune_below");
                download(maskWords, out);
                return new ThresholdMask(out, tiesPruned.get(ValueLayout.JAVA_LONG, 0));
            }
        }
    }

    @Override
    public Mask pruneSmallestPerRow(Tensor t, Mask live, int perRow) {
        requireResident(t);
        Mask out = live == null ? Mask.allKept(t.shape()) : live.copy();
        synchronized (context) {
            try (Arena arena = Arena.ofConfined();
                 DeviceBuffer liveWords = uploadOrNull(live);
                 DeviceBuffer maskWords = context.allocate(maskBytes(out))) {
                MemorySegment nanIndex = arena.allocate(ValueLayout.JAVA_LONG);
                int status = Prune4jH.prune4j_prune_smallest_per_row(context.handle(), t.data(), dtypeCode(t),
                        t.rows(), t.cols(), pointerOrNull(liveWords), perRow, maskWords.pointer(), nanIndex);
                checkNan(status, t, nanIndex, "prune4j_prune_smallest_per_row");
                download(maskWords, out);
                return out;
            }
        }
    }

    @Override
    public Mask pruneNm(Tensor t, int n, int m) {
        requireResident(t);
        Mask out = Mask.allPruned(t.shape());
        synchronized (context) {
            try (Arena arena = Arena.ofConfined(); DeviceBuffer maskWords = context.allocate(maskBytes(out))) {
                MemorySegment nanIndex = arena.allocate(ValueLayout.JAVA_LONG);
                int status = Prune4jH.prune4j_prune_nm(context.handle(), t.data(), dtypeCode(t), t.numel(), n, m,
                        maskWords.pointer(), nanIndex);
                checkNan(status, t, nanIndex, "prune4j_prune_nm");
                download(maskWords, out);
                return out;
            }
        }
    }

    @Override
    public void applyMask(Tensor src, Mask keep, Tensor dst) {
        requireResident(src, dst);
        synchronized (context) {
            try (DeviceBuffer keepWords = upload(MemorySegment.ofArray(keep.words()))) {
                CudaContext.check(Prune4jH.prune4j_apply_mask(context.handle(), src.data(), keepWords.pointer(),
                        src.numel(), src.dtype().byteSize(), dst.data()), "prune4j_apply_mask on '" + src.name() + "'");
            }
        }
    }

    @Override
    public void accumulateSquaredNorms(Tensor x, Tensor sumSq) {
        requireResident(x, sumSq);
        synchronized (context) {
            StatisticsKernels.accumulateSquaredNorms(context, x, sumSq);
        }
    }

    @Override
    public void hessianUpdate(Tensor h, Tensor x, float decay, float inputScale) {
        require(Kernel.HESSIAN_UPDATE);
        requireResident(h, x);
        synchronized (context) {
            StatisticsKernels.hessianUpdate(context, h, x, decay, inputScale);
        }
    }

    @Override
    public void wandaScores(Tensor w, Tensor normSq, long tokens, Tensor scores) {
        requireResident(w, normSq, scores);
        synchronized (context) {
            StatisticsKernels.wandaScores(context, w, normSq, tokens, scores);
        }
    }

    @Override
    public boolean choleskyInverseUpper(Tensor h) {
        require(Kernel.CHOLESKY_INVERSE);
        requireResident(h);
        synchronized (context) {
            return SparseGptKernels.choleskyInverseUpper(context, h);
        }
    }

    @Override
    public void obsScores(Tensor w, Tensor hinv, int from, int to, Tensor scores) {
        requireResident(w, hinv, scores);
        synchronized (context) {
            SparseGptKernels.obsScores(context, w, hinv, from, to, scores);
        }
    }

    @Override
    public void obsBlock(Tensor w, Tensor hinv, int from, int to, Mask blockKeep, int nmN, int nmM, Tensor err) {
        requireResident(w, hinv, err);
        synchronized (context) {
            SparseGptKernels.obsBlock(context, w, hinv, from, to, blockKeep, nmN, nmM, err);
        }
    }

    @Override
    public void trailingUpdate(Tensor w, Tensor err, Tensor hinv, int from, int to) {
        require(Kernel.TRAILING_UPDATE);
        requireResident(w, err, hinv);
        synchronized (context) {
            SparseGptKernels.trailingUpdate(context, w, err, hinv, from, to);
        }
    }

    @Override
    public double rowQuadraticFormSum(Tensor d, Tensor h) {
        require(Kernel.QUADRATIC_FORM);
        requireResident(d, h);
        synchronized (context) {
            return SparseGptKernels.rowQuadraticFormSum(context, d, h);
        }
    }

    /** A kernel of a run-time library that did not load here is refused as the capability list says. */
    private void require(Kernel kernel) {
        if (!kernels.contains(kernel)) {
            throw new UnsupportedKernelException(this, kernel);
        }
    }

    /** The mask's words on the device, or {@code null} for "everything live". */
    private DeviceBuffer uploadOrNull(Mask mask) {
        if (mask == null || mask.words().length == 0) {
            return null;
        }
        return upload(MemorySegment.ofArray(mask.words()));
    }

    private DeviceBuffer upload(MemorySegment host) {
        DeviceBuffer buffer = context.allocate(Math.max(8, host.byteSize()));
        try {
            context.copyToDevice(host, buffer, 0);
            return buffer;
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
        }
    }

    private void download(DeviceBuffer words, Mask into) {
        context.copyToHost(words, 0, MemorySegment.ofArray(into.words()));
    }

    private static long maskBytes(Mask m) {
        return Math.max(8L, 8L * m.words().length);
    }

    private static MemorySegment pointerOrNull(DeviceBuffer b) {
        return b == null ? MemorySegment.NULL : b.pointer();
    }

    /** A NaN status becomes the CPU engine's exception; any other failure a Prune4jException. */
    private static void checkNan(int status, Tensor t, MemorySegment nanIndex, String call) {
        if (status == Prune4jH.P4J_ERR_NAN) {
            throw NotANumberException.at(t, nanIndex.get(ValueLayout.JAVA_LONG, 0));
        }
        CudaContext.check(status, call + " on tensor '" + t.name() + "' " + t.shapeString());
    }

    static int dtypeCode(Tensor t) {
        DType d = t.dtype();
        return switch (d) {
            case F32 -> Prune4jH.P4J_DTYPE_F32;
            case F16 -> Prune4jH.P4J_DTYPE_F16;
            case BF16 -> Prune4jH.P4J_DTYPE_BF16;
            default -> throw new IllegalArgumentException("tensor '" + t.name() + "' has dtype " + d
                    + ": only F32, F16 and BF16 weights can be pruned");
        };
    }

    static int keySpaceCode(KeySpace keys) {
        return switch (keys) {
            case F16_BITS -> Prune4jH.P4J_KEYS_F16_BITS;
            case BF16_BITS -> Prune4jH.P4J_KEYS_BF16_BITS;
            case F32_BITS -> Prune4jH.P4J_KEYS_F32_BITS;
        };
    }

    /** Closes the GEMM plans made on this device, then the device context. */
    @Override
    public void close() {
        context.close();
    }

    @Override
    public String toString() {
        return description;
    }
}
