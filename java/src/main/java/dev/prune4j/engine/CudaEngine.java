package dev.prune4j.engine;

import dev.prune4j.bindings.CudaContext;
import dev.prune4j.bindings.DeviceBuffer;
import dev.prune4j.bindings.NativeLibrary;
import dev.prune4j.bindings.NativeLibraryUnavailableException;
import dev.prune4j.bindings.Prune4jException;
import dev.prune4j.bindings.Prune4jH;
import dev.prune4j.mask.Mask;
import dev.prune4j.sparse.CudaLinearKernels;
import dev.prune4j.sparse.LinearKernels;
import dev.prune4j.tensor.DType;
import dev.prune4j.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The CUDA engine: the kernels of {@code libprune4j} (native/src) called through the FFM bindings.
 * Each call copies its tensor (and live mask) to the device, runs the kernel and copies the mask
 * words back, so masks are bit-identical to {@link CpuEngine}'s. Calls are serialised: one engine
 * drives one device stream.
 *
 * <p>{@link #create()} refuses with an {@link EngineUnavailableException} that says why when the
 * native library does not load, there is no driver or no device, so {@code auto} falls back.
 */
public final class CudaEngine implements Engine, LinearKernels.Provider {
    private final CudaContext context;
    private final String description;
    private LinearKernels linearKernels;
    private CpuEngine cpuFallback;

    private CudaEngine(CudaContext context, String description) {
        this.context = context;
        this.description = description;
    }

    /** An engine on CUDA device 0. */
    public static Engine create() {
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
            return new CudaEngine(context, description);
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

    /**
     * The linear-layer GEMMs on this engine's device (cuBLASLt, CUTLASS 2:4, decode kernel); dtypes
     * the GPU does not take run on CPU kernels (a CPU engine made on first use, closed with this one).
     */
    @Override
    public synchronized LinearKernels linearKernels() {
        if (linearKernels == null) {
            linearKernels = new CudaLinearKernels(context, description, cpu());
        }
        return linearKernels;
    }

    /** The CPU engine for the work that has no device kernel yet: made on first use, closed with this one. */
    private synchronized CpuEngine cpu() {
        if (cpuFallback == null) {
            cpuFallback = new CpuEngine();
        }
        return cpuFallback;
    }

    // ---- Calibration and SparseGPT: no device kernels yet, so the multi-threaded CPU engine runs them
    // (the interface's defaults would run them on one thread).

    @Override
    public void accumulateSquaredNorms(Tensor x, Tensor sumSq) {
        cpu().accumulateSquaredNorms(x, sumSq);
    }

    @Override
    public void hessianUpdate(Tensor h, Tensor x, float decay, float inputScale) {
        cpu().hessianUpdate(h, x, decay, inputScale);
    }

    @Override
    public void wandaScores(Tensor w, Tensor normSq, long tokens, Tensor scores) {
        cpu().wandaScores(w, normSq, tokens, scores);
    }

    @Override
    public boolean choleskyInverseUpper(Tensor h) {
        return cpu().choleskyInverseUpper(h);
    }

    @Override
    public void obsScores(Tensor w, Tensor hinv, int from, int to, Tensor scores) {
        cpu().obsScores(w, hinv, from, to, scores);
    }

    @Override
    public void obsBlock(Tensor w, Tensor hinv, int from, int to, Mask blockKeep, int nmN, int nmM, Tensor err) {
        cpu().obsBlock(w, hinv, from, to, blockKeep, nmN, nmM, err);
    }

    @Override
    public void trailingUpdate(Tensor w, Tensor err, Tensor hinv, int from, int to) {
        cpu().trailingUpdate(w, err, hinv, from, to);
    }

    @Override
    public double rowQuadraticFormSum(Tensor d, Tensor h) {
        return cpu().rowQuadraticFormSum(d, h);
    }

    /** The device context, for tests that watch device memory. */
    public CudaContext context() {
        return context;
    }

    @Override
    public synchronized void magnitudeHistogram(Tensor t, Mask live, KeySpace keys, RadixPass pass, long[] histogram) {
        KernelArguments.checkLive(t, live);
        if (histogram.length < pass.buckets()) {
            throw new IllegalArgumentException("histogram has " + histogram.length + " buckets, pass needs "
                    + pass.buckets());
        }
        new MagnitudeKeys(t, keys); // argument checks with the CPU engine's messages
        if (t.numel() == 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined();
                DeviceBuffer values = upload(t);
                DeviceBuffer liveWords = uploadOrNull(live);
                DeviceBuffer hist = context.allocate(8L * pass.buckets())) {
            context.memset(hist, 0, hist.byteSize());
            MemorySegment nanIndex = arena.allocate(ValueLayout.JAVA_LONG);
            int status = Prune4jH.prune4j_magnitude_histogram(context.handle(), values.segment(), dtypeCode(t),
                    t.numel(), segmentOrNull(liveWords), keySpaceCode(keys), pass.shift(), pass.bits(),
                    pass.prefix(), hist.segment(), nanIndex);
            checkNan(status, t, nanIndex, "prune4j_magnitude_histogram");
            MemorySegment counts = arena.allocate(hist.byteSize(), 8);
            context.copyToHost(hist, 0, counts);
            for (int b = 0; b < pass.buckets(); b++) {
                histogram[b] += counts.getAtIndex(ValueLayout.JAVA_LONG, b);
            }
        }
    }

    @Override
    public synchronized ThresholdMask pruneBelow(Tensor t, Mask live, KeySpace keys, int threshold, long tiesToPrune) {
        KernelArguments.checkLive(t, live);
        new MagnitudeKeys(t, keys);
        Mask out = Mask.allPruned(t.shape());
        if (t.numel() == 0) {
            return new ThresholdMask(out, 0);
        }
        try (Arena arena = Arena.ofConfined();
                DeviceBuffer values = upload(t);
                DeviceBuffer liveWords = uploadOrNull(live);
                DeviceBuffer maskWords = context.allocate(maskBytes(out))) {
            MemorySegment tiesPruned = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment nanIndex = arena.allocate(ValueLayout.JAVA_LONG);
            int status = Prune4jH.prune4j_prune_below(context.handle(), values.segment(), dtypeCode(t), t.numel(),
                    segmentOrNull(liveWords), keySpaceCode(keys), threshold, Math.max(0, tiesToPrune),
                    maskWords.segment(), tiesPruned, nanIndex);
            checkNan(status, t, nanIndex, "prune4j_prune_below");
            download(maskWords, out);
            return new ThresholdMask(out, tiesPruned.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    @Override
    public synchronized Mask pruneSmallestPerRow(Tensor t, Mask live, int perRow) {
        KernelArguments.checkLive(t, live);
        long cols = t.cols();
        KernelArguments.checkPerRow(t, perRow);
        new MagnitudeKeys(t, KeySpace.forDType(t.dtype()));
        Mask out = live == null ? Mask.allKept(t.shape()) : live.copy();
        if (t.numel() == 0) {
            return out;
        }
        try (Arena arena = Arena.ofConfined();
                DeviceBuffer values = upload(t);
                DeviceBuffer liveWords = uploadOrNull(live);
                DeviceBuffer maskWords = context.allocate(maskBytes(out))) {
            MemorySegment nanIndex = arena.allocate(ValueLayout.JAVA_LONG);
            int status = Prune4jH.prune4j_prune_smallest_per_row(context.handle(), values.segment(), dtypeCode(t),
                    t.rows(), cols, segmentOrNull(liveWords), perRow, maskWords.segment(), nanIndex);
            checkNan(status, t, nanIndex, "prune4j_prune_smallest_per_row");
            download(maskWords, out);
            return out;
        }
    }

    @Override
    public synchronized Mask pruneNm(Tensor t, int n, int m) {
        KernelArguments.checkNm(t, n, m);
        new MagnitudeKeys(t, KeySpace.forDType(t.dtype()));
        Mask out = Mask.allPruned(t.shape());
        if (t.numel() == 0) {
            return out;
        }
        try (Arena arena = Arena.ofConfined();
                DeviceBuffer values = upload(t);
                DeviceBuffer maskWords = context.allocate(maskBytes(out))) {
            MemorySegment nanIndex = arena.allocate(ValueLayout.JAVA_LONG);
            int status = Prune4jH.prune4j_prune_nm(context.handle(), values.segment(), dtypeCode(t), t.numel(), n, m,
                    maskWords.segment(), nanIndex);
            checkNan(status, t, nanIndex, "prune4j_prune_nm");
            download(maskWords, out);
            return out;
        }
    }

    @Override
    public synchronized void applyMask(Tensor src, Mask keep, Tensor dst) {
        if (src.dtype() != dst.dtype() || !Arrays.equals(src.shape(), dst.shape())) {
            throw new IllegalArgumentException("cannot write " + src + " into " + dst);
        }
        KernelArguments.checkLive(src, keep);
        if (src.numel() == 0) {
            return;
        }
        try (DeviceBuffer values = upload(src); DeviceBuffer keepWords = upload(MemorySegment.ofArray(keep.words()))) {
            CudaContext.check(Prune4jH.prune4j_apply_mask(context.handle(), values.segment(), keepWords.segment(),
                    src.numel(), src.dtype().byteSize(), values.segment()), "prune4j_apply_mask");
            context.copyToHost(values, 0, dst.data());
        }
    }

    private DeviceBuffer upload(Tensor t) {
        DeviceBuffer buffer = context.allocate(t.byteSize());
        try {
            context.copyToDevice(t.data(), buffer, 0);
            return buffer;
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
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
        DeviceBuffer buffer = context.allocate(host.byteSize());
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

    private static MemorySegment segmentOrNull(DeviceBuffer b) {
        return b == null ? MemorySegment.NULL : b.segment();
    }

    /** A NaN status becomes the CPU engine's exception; any other failure a Prune4jException. */
    private static void checkNan(int status, Tensor t, MemorySegment nanIndex, String call) {
        if (status == Prune4jH.P4J_ERR_NAN) {
            throw MagnitudeKeys.nanAt(t, nanIndex.get(ValueLayout.JAVA_LONG, 0));
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


    @Override
    public synchronized void close() {
        if (cpuFallback != null) {
            cpuFallback.close();
        }
        context.close();
    }
}
