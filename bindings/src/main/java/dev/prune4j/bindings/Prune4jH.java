package dev.prune4j.bindings;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * FFM bindings for {@code native/include/prune4j.h}, kept by hand in jextract's layout: per C
 * function a nested (package-private) class with its {@code FunctionDescriptor} and a lazily linked
 * {@code static final MethodHandle}, and a public static method of the same name that calls it.
 * {@code Prune4jHeaderDriftTest} parses the header and fails when this class no longer matches it.
 *
 * <p>C types map as {@code int}, {@code int32_t}, {@code uint32_t} to {@link #C_INT},
 * {@code int64_t}, {@code uint64_t}, {@code size_t} to {@link #C_LONG}, {@code float} to
 * {@link #C_FLOAT}, {@code double} to {@link #C_DOUBLE} and every pointer to {@link #C_POINTER}.
 * The handle is linked on first use, so reading a descriptor never loads the library.
 * {@code CRITICAL} marks the short calls that never block (ARCHITECTURE.md, STYLE.md).
 */
public final class Prune4jH {
    public static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    public static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    public static final AddressLayout C_POINTER = ValueLayout.ADDRESS;
    public static final ValueLayout.OfFloat C_FLOAT = ValueLayout.JAVA_FLOAT;
    public static final ValueLayout.OfDouble C_DOUBLE = ValueLayout.JAVA_DOUBLE;

    public static final int PRUNE4J_ABI_VERSION = 5;
    public static final int P4J_OK = 0;
    public static final int P4J_ERR_INVALID_ARGUMENT = 1;
    public static final int P4J_ERR_CUDA = 2;
    public static final int P4J_ERR_OUT_OF_MEMORY = 3;
    public static final int P4J_ERR_NAN = 4;
    public static final int P4J_ERR_NO_DRIVER = 5;
    public static final int P4J_ERR_NO_DEVICE = 6;
    public static final int P4J_ERR_NOT_FINITE = 7;
    public static final int P4J_ERR_NOT_POSITIVE_DEFINITE = 8;
    public static final int P4J_DTYPE_F32 = 0;
    public static final int P4J_DTYPE_F16 = 1;
    public static final int P4J_DTYPE_BF16 = 2;
    public static final int P4J_KEYS_F16_BITS = 0;
    public static final int P4J_KEYS_BF16_BITS = 1;
    public static final int P4J_KEYS_F32_BITS = 2;
    public static final int P4J_WEIGHT_DENSE = 0;
    public static final int P4J_WEIGHT_SPARSE24 = 1;
    public static final int P4J_BACKEND_AUTO = 0;
    public static final int P4J_BACKEND_CUBLASLT = 1;
    public static final int P4J_BACKEND_CUTLASS_SM80 = 2;
    public static final int P4J_BACKEND_CUTLASS_SM90 = 3;
    public static final int P4J_BACKEND_DECODE = 4;
    public static final int P4J_BACKEND_CUSPARSELT = 5;
    public static final int P4J_DECODE_MAX_TOKENS = 16;
    public static final int P4J_DECODE_DEFAULT_MAX_TOKENS = 16;
    public static final int P4J_BENCH_FLUSH_L2 = 1;
    public static final int P4J_LIBRARY_CUBLASLT = 0;
    public static final int P4J_LIBRARY_CUSPARSELT = 1;
    public static final int P4J_LIBRARY_CUSOLVER = 2;

    private Prune4jH() {}

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }

    /** {@code const char* prune4j_last_error(void)} */
    static final class prune4j_last_error {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_POINTER);
        public static final boolean CRITICAL = true;

        private prune4j_last_error() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_last_error", DESC, CRITICAL);
        }
    }

    public static MemorySegment prune4j_last_error() {
        try {
            return (MemorySegment) prune4j_last_error.Handle.HANDLE.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_abi_version(int32_t* version)} */
    static final class prune4j_abi_version {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final boolean CRITICAL = true;

        private prune4j_abi_version() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_abi_version", DESC, CRITICAL);
        }
    }

    public static int prune4j_abi_version(MemorySegment version) {
        try {
            return (int) prune4j_abi_version.Handle.HANDLE.invokeExact(version);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_device_count(int32_t* count)} */
    static final class prune4j_device_count {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_device_count() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_device_count", DESC, CRITICAL);
        }
    }

    public static int prune4j_device_count(MemorySegment count) {
        try {
            return (int) prune4j_device_count.Handle.HANDLE.invokeExact(count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_context_create(int32_t device, p4j_context** out)} */
    static final class prune4j_context_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_context_create() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_context_create", DESC, CRITICAL);
        }
    }

    public static int prune4j_context_create(int device, MemorySegment out) {
        try {
            return (int) prune4j_context_create.Handle.HANDLE.invokeExact(device, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_context_destroy(p4j_context* ctx)} */
    static final class prune4j_context_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_context_destroy() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_context_destroy", DESC, CRITICAL);
        }
    }

    public static int prune4j_context_destroy(MemorySegment ctx) {
        try {
            return (int) prune4j_context_destroy.Handle.HANDLE.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_device_name(p4j_context* ctx, char* buffer, size_t capacity)} */
    static final class prune4j_device_name {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG);
        public static final boolean CRITICAL = true;

        private prune4j_device_name() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_device_name", DESC, CRITICAL);
        }
    }

    public static int prune4j_device_name(MemorySegment ctx, MemorySegment buffer, long capacity) {
        try {
            return (int) prune4j_device_name.Handle.HANDLE.invokeExact(ctx, buffer, capacity);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_device_capability(p4j_context* ctx, int32_t* major, int32_t* minor)} */
    static final class prune4j_device_capability {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = true;

        private prune4j_device_capability() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_device_capability", DESC, CRITICAL);
        }
    }

    public static int prune4j_device_capability(MemorySegment ctx, MemorySegment major, MemorySegment minor) {
        try {
            return (int) prune4j_device_capability.Handle.HANDLE.invokeExact(ctx, major, minor);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_device_memory(p4j_context* ctx, uint64_t* free_bytes, uint64_t* total_bytes)} */
    static final class prune4j_device_memory {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_device_memory() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_device_memory", DESC, CRITICAL);
        }
    }

    public static int prune4j_device_memory(MemorySegment ctx, MemorySegment free_bytes, MemorySegment total_bytes) {
        try {
            return (int) prune4j_device_memory.Handle.HANDLE.invokeExact(ctx, free_bytes, total_bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_malloc(p4j_context* ctx, uint64_t bytes, void** out)} */
    static final class prune4j_malloc {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_malloc() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_malloc", DESC, CRITICAL);
        }
    }

    public static int prune4j_malloc(MemorySegment ctx, long bytes, MemorySegment out) {
        try {
            return (int) prune4j_malloc.Handle.HANDLE.invokeExact(ctx, bytes, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_free(p4j_context* ctx, void* device_ptr)} */
    static final class prune4j_free {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_free() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_free", DESC, CRITICAL);
        }
    }

    public static int prune4j_free(MemorySegment ctx, MemorySegment device_ptr) {
        try {
            return (int) prune4j_free.Handle.HANDLE.invokeExact(ctx, device_ptr);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_memcpy_h2d(p4j_context* ctx, void* device_dst, const void* host_src, uint64_t bytes)} */
    static final class prune4j_memcpy_h2d {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_LONG);
        public static final boolean CRITICAL = false;

        private prune4j_memcpy_h2d() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_memcpy_h2d", DESC, CRITICAL);
        }
    }

    public static int prune4j_memcpy_h2d(MemorySegment ctx, MemorySegment device_dst, MemorySegment host_src, long bytes) {
        try {
            return (int) prune4j_memcpy_h2d.Handle.HANDLE.invokeExact(ctx, device_dst, host_src, bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_memcpy_d2h(p4j_context* ctx, void* host_dst, const void* device_src, uint64_t bytes)} */
    static final class prune4j_memcpy_d2h {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_LONG);
        public static final boolean CRITICAL = false;

        private prune4j_memcpy_d2h() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_memcpy_d2h", DESC, CRITICAL);
        }
    }

    public static int prune4j_memcpy_d2h(MemorySegment ctx, MemorySegment host_dst, MemorySegment device_src, long bytes) {
        try {
            return (int) prune4j_memcpy_d2h.Handle.HANDLE.invokeExact(ctx, host_dst, device_src, bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_memset(p4j_context* ctx, void* device_dst, int32_t value, uint64_t bytes)} */
    static final class prune4j_memset {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_LONG);
        public static final boolean CRITICAL = false;

        private prune4j_memset() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_memset", DESC, CRITICAL);
        }
    }

    public static int prune4j_memset(MemorySegment ctx, MemorySegment device_dst, int value, long bytes) {
        try {
            return (int) prune4j_memset.Handle.HANDLE.invokeExact(ctx, device_dst, value, bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_synchronize(p4j_context* ctx)} */
    static final class prune4j_synchronize {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_synchronize() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_synchronize", DESC, CRITICAL);
        }
    }

    public static int prune4j_synchronize(MemorySegment ctx) {
        try {
            return (int) prune4j_synchronize.Handle.HANDLE.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_magnitude_histogram(p4j_context* ctx, const void* values, int32_t dtype, uint64_t numel,
                                const uint64_t* live, int32_t key_space, int32_t shift, int32_t bits,
                                int32_t prefix, uint64_t* histogram, int64_t* nan_index)} */
    static final class prune4j_magnitude_histogram {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_LONG, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_magnitude_histogram() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_magnitude_histogram", DESC, CRITICAL);
        }
    }

    public static int prune4j_magnitude_histogram(MemorySegment ctx, MemorySegment values, int dtype, long numel, MemorySegment live, int key_space, int shift, int bits, int prefix, MemorySegment histogram, MemorySegment nan_index) {
        try {
            return (int) prune4j_magnitude_histogram.Handle.HANDLE.invokeExact(ctx, values, dtype, numel, live, key_space, shift, bits, prefix, histogram, nan_index);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_prune_below(p4j_context* ctx, const void* values, int32_t dtype, uint64_t numel,
                        const uint64_t* live, int32_t key_space, int32_t threshold,
                        uint64_t ties_to_prune, uint64_t* mask_out, uint64_t* ties_pruned,
                        int64_t* nan_index)} */
    static final class prune4j_prune_below {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_LONG, C_POINTER, C_INT, C_INT, C_LONG, C_POINTER, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_prune_below() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_prune_below", DESC, CRITICAL);
        }
    }

    public static int prune4j_prune_below(MemorySegment ctx, MemorySegment values, int dtype, long numel, MemorySegment live, int key_space, int threshold, long ties_to_prune, MemorySegment mask_out, MemorySegment ties_pruned, MemorySegment nan_index) {
        try {
            return (int) prune4j_prune_below.Handle.HANDLE.invokeExact(ctx, values, dtype, numel, live, key_space, threshold, ties_to_prune, mask_out, ties_pruned, nan_index);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_prune_smallest_per_row(p4j_context* ctx, const void* values, int32_t dtype, uint64_t rows,
                                   uint64_t cols, const uint64_t* live, int32_t per_row,
                                   uint64_t* mask_out, int64_t* nan_index)} */
    static final class prune4j_prune_smallest_per_row {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_LONG, C_LONG, C_POINTER, C_INT, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_prune_smallest_per_row() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_prune_smallest_per_row", DESC, CRITICAL);
        }
    }

    public static int prune4j_prune_smallest_per_row(MemorySegment ctx, MemorySegment values, int dtype, long rows, long cols, MemorySegment live, int per_row, MemorySegment mask_out, MemorySegment nan_index) {
        try {
            return (int) prune4j_prune_smallest_per_row.Handle.HANDLE.invokeExact(ctx, values, dtype, rows, cols, live, per_row, mask_out, nan_index);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_prune_nm(p4j_context* ctx, const void* values, int32_t dtype, uint64_t numel, int32_t n,
                     int32_t m, uint64_t* mask_out, int64_t* nan_index)} */
    static final class prune4j_prune_nm {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_LONG, C_INT, C_INT, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_prune_nm() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_prune_nm", DESC, CRITICAL);
        }
    }

    public static int prune4j_prune_nm(MemorySegment ctx, MemorySegment values, int dtype, long numel, int n, int m, MemorySegment mask_out, MemorySegment nan_index) {
        try {
            return (int) prune4j_prune_nm.Handle.HANDLE.invokeExact(ctx, values, dtype, numel, n, m, mask_out, nan_index);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_apply_mask(p4j_context* ctx, const void* src, const uint64_t* keep, uint64_t numel,
                       int32_t element_bytes, void* dst)} */
    static final class prune4j_apply_mask {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_LONG, C_INT, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_apply_mask() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_apply_mask", DESC, CRITICAL);
        }
    }

    public static int prune4j_apply_mask(MemorySegment ctx, MemorySegment src, MemorySegment keep, long numel, int element_bytes, MemorySegment dst) {
        try {
            return (int) prune4j_apply_mask.Handle.HANDLE.invokeExact(ctx, src, keep, numel, element_bytes, dst);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_plan_create(p4j_context* ctx, int32_t weight_format, int32_t dtype, int64_t out_features, int64_t in_features, const void* values, const void* meta, const float* bias, p4j_gemm_plan** out)} */
    static final class prune4j_gemm_plan_create {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_INT, C_LONG, C_LONG, C_POINTER, C_POINTER, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_plan_create() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_plan_create", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_plan_create(MemorySegment ctx, int weight_format, int dtype, long out_features, long in_features, MemorySegment values, MemorySegment meta, MemorySegment bias, MemorySegment out) {
        try {
            return (int) prune4j_gemm_plan_create.Handle.HANDLE.invokeExact(ctx, weight_format, dtype, out_features, in_features, values, meta, bias, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_plan_destroy(p4j_gemm_plan* plan)} */
    static final class prune4j_gemm_plan_destroy {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_plan_destroy() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_plan_destroy", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_plan_destroy(MemorySegment plan) {
        try {
            return (int) prune4j_gemm_plan_destroy.Handle.HANDLE.invokeExact(plan);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_backend(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, int32_t* chosen)} */
    static final class prune4j_gemm_backend {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_LONG, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_backend() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_backend", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_backend(MemorySegment plan, int backend, long tokens, MemorySegment chosen) {
        try {
            return (int) prune4j_gemm_backend.Handle.HANDLE.invokeExact(plan, backend, tokens, chosen);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_run(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, const void* x, void* y)} */
    static final class prune4j_gemm_run {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_LONG, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_run() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_run", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_run(MemorySegment plan, int backend, long tokens, MemorySegment x, MemorySegment y) {
        try {
            return (int) prune4j_gemm_run.Handle.HANDLE.invokeExact(plan, backend, tokens, x, y);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_run_timed(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, const void* x, void* y, float* kernel_milliseconds)} */
    static final class prune4j_gemm_run_timed {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_LONG, C_POINTER, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_run_timed() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_run_timed", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_run_timed(MemorySegment plan, int backend, long tokens, MemorySegment x, MemorySegment y, MemorySegment kernel_milliseconds) {
        try {
            return (int) prune4j_gemm_run_timed.Handle.HANDLE.invokeExact(plan, backend, tokens, x, y, kernel_milliseconds);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_time(p4j_gemm_plan* plan, int32_t backend, int64_t tokens, const void* x, void* y, int32_t iterations, int32_t sync_each, float* milliseconds)} */
    static final class prune4j_gemm_time {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_LONG, C_POINTER, C_POINTER, C_INT, C_INT, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_time() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_time", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_time(MemorySegment plan, int backend, long tokens, MemorySegment x, MemorySegment y, int iterations, int sync_each, MemorySegment milliseconds) {
        try {
            return (int) prune4j_gemm_time.Handle.HANDLE.invokeExact(plan, backend, tokens, x, y, iterations, sync_each, milliseconds);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_export_sparse24(p4j_gemm_plan* plan, int32_t backend, void* values, void* meta)} */
    static final class prune4j_gemm_export_sparse24 {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_export_sparse24() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_export_sparse24", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_export_sparse24(MemorySegment plan, int backend, MemorySegment values, MemorySegment meta) {
        try {
            return (int) prune4j_gemm_export_sparse24.Handle.HANDLE.invokeExact(plan, backend, values, meta);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_set_default_decode_max_tokens(p4j_context* ctx, int32_t max_tokens)} */
    static final class prune4j_gemm_set_default_decode_max_tokens {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_set_default_decode_max_tokens() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_set_default_decode_max_tokens", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_set_default_decode_max_tokens(MemorySegment ctx, int max_tokens) {
        try {
            return (int) prune4j_gemm_set_default_decode_max_tokens.Handle.HANDLE.invokeExact(ctx, max_tokens);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_set_decode_max_tokens(p4j_gemm_plan* plan, int32_t max_tokens)} */
    static final class prune4j_gemm_set_decode_max_tokens {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_set_decode_max_tokens() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_set_decode_max_tokens", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_set_decode_max_tokens(MemorySegment plan, int max_tokens) {
        try {
            return (int) prune4j_gemm_set_decode_max_tokens.Handle.HANDLE.invokeExact(plan, max_tokens);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_decode_max_tokens(p4j_gemm_plan* plan, int32_t* max_tokens)} */
    static final class prune4j_gemm_decode_max_tokens {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_decode_max_tokens() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_decode_max_tokens", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_decode_max_tokens(MemorySegment plan, MemorySegment max_tokens) {
        try {
            return (int) prune4j_gemm_decode_max_tokens.Handle.HANDLE.invokeExact(plan, max_tokens);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_tune_decode(p4j_gemm_plan* plan, int32_t iterations, int32_t* max_tokens, float* decode_ms, float* gemm_ms)} */
    static final class prune4j_gemm_tune_decode {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_tune_decode() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_tune_decode", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_tune_decode(MemorySegment plan, int iterations, MemorySegment max_tokens, MemorySegment decode_ms, MemorySegment gemm_ms) {
        try {
            return (int) prune4j_gemm_tune_decode.Handle.HANDLE.invokeExact(plan, iterations, max_tokens, decode_ms, gemm_ms);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_tune(p4j_gemm_plan* plan, int64_t tokens, int32_t iterations, int32_t* chosen, float* backend_ms)} */
    static final class prune4j_gemm_tune {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_INT, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_tune() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_tune", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_tune(MemorySegment plan, long tokens, int iterations, MemorySegment chosen, MemorySegment backend_ms) {
        try {
            return (int) prune4j_gemm_tune.Handle.HANDLE.invokeExact(plan, tokens, iterations, chosen, backend_ms);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_gemm_benchmark(p4j_context* ctx, int32_t arms, p4j_gemm_plan* const* plans, const int32_t* backends, int32_t copies, int64_t tokens, const void* const* xs, void* const* ys, int32_t flags, int32_t warmup_ms, int32_t iterations, float* milliseconds)} */
    static final class prune4j_gemm_benchmark {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER, C_POINTER, C_INT, C_LONG, C_POINTER, C_POINTER, C_INT, C_INT, C_INT, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_gemm_benchmark() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_gemm_benchmark", DESC, CRITICAL);
        }
    }

    public static int prune4j_gemm_benchmark(MemorySegment ctx, int arms, MemorySegment plans, MemorySegment backends, int copies, long tokens, MemorySegment xs, MemorySegment ys, int flags, int warmup_ms, int iterations, MemorySegment milliseconds) {
        try {
            return (int) prune4j_gemm_benchmark.Handle.HANDLE.invokeExact(ctx, arms, plans, backends, copies, tokens, xs, ys, flags, warmup_ms, iterations, milliseconds);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_device_read_bandwidth(p4j_context* ctx, uint64_t bytes, int32_t iterations, float* milliseconds)} */
    static final class prune4j_device_read_bandwidth {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_INT, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_device_read_bandwidth() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_device_read_bandwidth", DESC, CRITICAL);
        }
    }

    public static int prune4j_device_read_bandwidth(MemorySegment ctx, long bytes, int iterations, MemorySegment milliseconds) {
        try {
            return (int) prune4j_device_read_bandwidth.Handle.HANDLE.invokeExact(ctx, bytes, iterations, milliseconds);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_library_status(int32_t library, int32_t* available, char* message, size_t capacity)} */
    static final class prune4j_library_status {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_LONG);
        public static final boolean CRITICAL = false;

        private prune4j_library_status() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_library_status", DESC, CRITICAL);
        }
    }

    public static int prune4j_library_status(int library, MemorySegment available, MemorySegment message, long capacity) {
        try {
            return (int) prune4j_library_status.Handle.HANDLE.invokeExact(library, available, message, capacity);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---- calibration, Wanda and SparseGPT kernels ----

    /** {@code int prune4j_accumulate_squared_norms(p4j_context* ctx, const void* x, int32_t dtype, int64_t tokens, int64_t in_features, float* sums, int64_t* bad_input, int64_t* bad_output)} */
    static final class prune4j_accumulate_squared_norms {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_LONG, C_LONG, C_POINTER, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_accumulate_squared_norms() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_accumulate_squared_norms", DESC, CRITICAL);
        }
    }

    public static int prune4j_accumulate_squared_norms(MemorySegment ctx, MemorySegment x, int dtype, long tokens, long in_features, MemorySegment sums, MemorySegment bad_input, MemorySegment bad_output) {
        try {
            return (int) prune4j_accumulate_squared_norms.Handle.HANDLE.invokeExact(ctx, x, dtype, tokens, in_features, sums, bad_input, bad_output);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_hessian_update(p4j_context* ctx, float* h, int64_t in_features, const void* x, int32_t dtype, int64_t tokens, float decay, float input_scale, int64_t* bad_input, int64_t* bad_output)} */
    static final class prune4j_hessian_update {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_POINTER, C_INT, C_LONG, C_FLOAT, C_FLOAT, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_hessian_update() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_hessian_update", DESC, CRITICAL);
        }
    }

    public static int prune4j_hessian_update(MemorySegment ctx, MemorySegment h, long in_features, MemorySegment x, int dtype, long tokens, float decay, float input_scale, MemorySegment bad_input, MemorySegment bad_output) {
        try {
            return (int) prune4j_hessian_update.Handle.HANDLE.invokeExact(ctx, h, in_features, x, dtype, tokens, decay, input_scale, bad_input, bad_output);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_wanda_scores(p4j_context* ctx, const void* w, int32_t dtype, int64_t rows, int64_t cols, const float* norm_sq, int64_t tokens, float* scores)} */
    static final class prune4j_wanda_scores {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_LONG, C_LONG, C_POINTER, C_LONG, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_wanda_scores() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_wanda_scores", DESC, CRITICAL);
        }
    }

    public static int prune4j_wanda_scores(MemorySegment ctx, MemorySegment w, int dtype, long rows, long cols, MemorySegment norm_sq, long tokens, MemorySegment scores) {
        try {
            return (int) prune4j_wanda_scores.Handle.HANDLE.invokeExact(ctx, w, dtype, rows, cols, norm_sq, tokens, scores);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_convert(p4j_context* ctx, const void* src, int32_t src_dtype, void* dst, int32_t dst_dtype, uint64_t numel)} */
    static final class prune4j_convert {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_INT, C_LONG);
        public static final boolean CRITICAL = false;

        private prune4j_convert() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_convert", DESC, CRITICAL);
        }
    }

    public static int prune4j_convert(MemorySegment ctx, MemorySegment src, int src_dtype, MemorySegment dst, int dst_dtype, long numel) {
        try {
            return (int) prune4j_convert.Handle.HANDLE.invokeExact(ctx, src, src_dtype, dst, dst_dtype, numel);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_sparsegpt_dead_inputs(p4j_context* ctx, const float* h, int64_t n, float* w, int64_t rows, int64_t* dead_count)} */
    static final class prune4j_sparsegpt_dead_inputs {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_POINTER, C_LONG, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_sparsegpt_dead_inputs() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_sparsegpt_dead_inputs", DESC, CRITICAL);
        }
    }

    public static int prune4j_sparsegpt_dead_inputs(MemorySegment ctx, MemorySegment h, long n, MemorySegment w, long rows, MemorySegment dead_count) {
        try {
            return (int) prune4j_sparsegpt_dead_inputs.Handle.HANDLE.invokeExact(ctx, h, n, w, rows, dead_count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_sparsegpt_damp(p4j_context* ctx, const float* h, int64_t n, double percdamp, float* hinv, double* mean_diagonal)} */
    static final class prune4j_sparsegpt_damp {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_DOUBLE, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_sparsegpt_damp() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_sparsegpt_damp", DESC, CRITICAL);
        }
    }

    public static int prune4j_sparsegpt_damp(MemorySegment ctx, MemorySegment h, long n, double percdamp, MemorySegment hinv, MemorySegment mean_diagonal) {
        try {
            return (int) prune4j_sparsegpt_damp.Handle.HANDLE.invokeExact(ctx, h, n, percdamp, hinv, mean_diagonal);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_cholesky_inverse_upper(p4j_context* ctx, float* a, int64_t n, int32_t* info)} */
    static final class prune4j_cholesky_inverse_upper {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_cholesky_inverse_upper() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_cholesky_inverse_upper", DESC, CRITICAL);
        }
    }

    public static int prune4j_cholesky_inverse_upper(MemorySegment ctx, MemorySegment a, long n, MemorySegment info) {
        try {
            return (int) prune4j_cholesky_inverse_upper.Handle.HANDLE.invokeExact(ctx, a, n, info);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_obs_scores(p4j_context* ctx, const float* w, int64_t rows, int64_t cols, const float* hinv, int64_t from, int64_t to, float* scores)} */
    static final class prune4j_obs_scores {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_LONG, C_POINTER, C_LONG, C_LONG, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_obs_scores() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_obs_scores", DESC, CRITICAL);
        }
    }

    public static int prune4j_obs_scores(MemorySegment ctx, MemorySegment w, long rows, long cols, MemorySegment hinv, long from, long to, MemorySegment scores) {
        try {
            return (int) prune4j_obs_scores.Handle.HANDLE.invokeExact(ctx, w, rows, cols, hinv, from, to, scores);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_obs_block(p4j_context* ctx, float* w, int64_t rows, int64_t cols, const float* hinv, int64_t from, int64_t to, uint64_t* block_keep, int32_t nm_n, int32_t nm_m, float* err)} */
    static final class prune4j_obs_block {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_LONG, C_POINTER, C_LONG, C_LONG, C_POINTER, C_INT, C_INT, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_obs_block() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_obs_block", DESC, CRITICAL);
        }
    }

    public static int prune4j_obs_block(MemorySegment ctx, MemorySegment w, long rows, long cols, MemorySegment hinv, long from, long to, MemorySegment block_keep, int nm_n, int nm_m, MemorySegment err) {
        try {
            return (int) prune4j_obs_block.Handle.HANDLE.invokeExact(ctx, w, rows, cols, hinv, from, to, block_keep, nm_n, nm_m, err);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_obs_trailing_update(p4j_context* ctx, float* w, int64_t rows, int64_t cols, const float* err, const float* hinv, int64_t from, int64_t to)} */
    static final class prune4j_obs_trailing_update {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_LONG, C_POINTER, C_POINTER, C_LONG, C_LONG);
        public static final boolean CRITICAL = false;

        private prune4j_obs_trailing_update() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_obs_trailing_update", DESC, CRITICAL);
        }
    }

    public static int prune4j_obs_trailing_update(MemorySegment ctx, MemorySegment w, long rows, long cols, MemorySegment err, MemorySegment hinv, long from, long to) {
        try {
            return (int) prune4j_obs_trailing_update.Handle.HANDLE.invokeExact(ctx, w, rows, cols, err, hinv, from, to);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_mask_insert_block(p4j_context* ctx, const uint64_t* block_keep, int64_t rows, int64_t width, uint64_t* keep, int64_t cols, int64_t from)} */
    static final class prune4j_mask_insert_block {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_LONG, C_POINTER, C_LONG, C_LONG);
        public static final boolean CRITICAL = false;

        private prune4j_mask_insert_block() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_mask_insert_block", DESC, CRITICAL);
        }
    }

    public static int prune4j_mask_insert_block(MemorySegment ctx, MemorySegment block_keep, long rows, long width, MemorySegment keep, long cols, long from) {
        try {
            return (int) prune4j_mask_insert_block.Handle.HANDLE.invokeExact(ctx, block_keep, rows, width, keep, cols, from);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_row_quadratic_form_sum(p4j_context* ctx, const void* a, int32_t a_dtype, const void* b, int32_t b_dtype, int64_t rows, int64_t n, const float* h, double* result)} */
    static final class prune4j_row_quadratic_form_sum {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_POINTER, C_INT, C_LONG, C_LONG, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_row_quadratic_form_sum() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_row_quadratic_form_sum", DESC, CRITICAL);
        }
    }

    public static int prune4j_row_quadratic_form_sum(MemorySegment ctx, MemorySegment a, int a_dtype, MemorySegment b, int b_dtype, long rows, long n, MemorySegment h, MemorySegment result) {
        try {
            return (int) prune4j_row_quadratic_form_sum.Handle.HANDLE.invokeExact(ctx, a, a_dtype, b, b_dtype, rows, n, h, result);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_magnitude_histogram_async(p4j_context* ctx, const void* values, int32_t dtype, uint64_t numel, const uint64_t* live, int32_t key_space, int32_t shift, int32_t bits, int32_t prefix, uint64_t* histogram, int64_t* nan_slot)} */
    static final class prune4j_magnitude_histogram_async {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_LONG, C_POINTER, C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_magnitude_histogram_async() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_magnitude_histogram_async", DESC, CRITICAL);
        }
    }

    public static int prune4j_magnitude_histogram_async(MemorySegment ctx, MemorySegment values, int dtype, long numel, MemorySegment live, int key_space, int shift, int bits, int prefix, MemorySegment histogram, MemorySegment nan_slot) {
        try {
            return (int) prune4j_magnitude_histogram_async.Handle.HANDLE.invokeExact(ctx, values, dtype, numel, live, key_space, shift, bits, prefix, histogram, nan_slot);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_ria_scores(p4j_context* ctx, const void* w, int32_t dtype, int64_t rows, int64_t cols, const float* norm_sq, int64_t tokens, double exponent, float* scores)} */
    static final class prune4j_ria_scores {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_INT, C_LONG, C_LONG, C_POINTER, C_LONG, C_DOUBLE, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_ria_scores() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_ria_scores", DESC, CRITICAL);
        }
    }

    public static int prune4j_ria_scores(MemorySegment ctx, MemorySegment w, int dtype, long rows, long cols, MemorySegment norm_sq, long tokens, double exponent, MemorySegment scores) {
        try {
            return (int) prune4j_ria_scores.Handle.HANDLE.invokeExact(ctx, w, dtype, rows, cols, norm_sq, tokens, exponent, scores);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_score_sum(p4j_context* ctx, const float* t, uint64_t numel, double* sum)} */
    static final class prune4j_score_sum {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_score_sum() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_score_sum", DESC, CRITICAL);
        }
    }

    public static int prune4j_score_sum(MemorySegment ctx, MemorySegment t, long numel, MemorySegment sum) {
        try {
            return (int) prune4j_score_sum.Handle.HANDLE.invokeExact(ctx, t, numel, sum);
        } catch (Throwable ex) {  // t is the tensor parameter
            throw rethrow(ex);
        }
    }

    /** {@code int prune4j_count_above(p4j_context* ctx, const float* t, uint64_t numel, float threshold, int64_t* count)} */
    static final class prune4j_count_above {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_FLOAT, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_count_above() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_count_above", DESC, CRITICAL);
        }
    }

    public static int prune4j_count_above(MemorySegment ctx, MemorySegment t, long numel, float threshold, MemorySegment count) {
        try {
            return (int) prune4j_count_above.Handle.HANDLE.invokeExact(ctx, t, numel, threshold, count);
        } catch (Throwable ex) {  // t is the tensor parameter
            throw rethrow(ex);
        }
    }

    /** {@code int prune4j_hessian_product(p4j_context* ctx, const float* d, int64_t rows, int64_t n, const float* h, float* out)} */
    static final class prune4j_hessian_product {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_LONG, C_LONG, C_POINTER, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_hessian_product() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_hessian_product", DESC, CRITICAL);
        }
    }

    public static int prune4j_hessian_product(MemorySegment ctx, MemorySegment d, long rows, long n, MemorySegment h, MemorySegment out) {
        try {
            return (int) prune4j_hessian_product.Handle.HANDLE.invokeExact(ctx, d, rows, n, h, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code int prune4j_mask_swaps(p4j_context* ctx, const float* w, float* v, float* g, const float* h, int64_t rows, int64_t n, uint64_t* keep, int32_t group, int32_t max_swaps_per_row, int32_t candidates, double tolerance, int64_t* swaps)} */
    static final class prune4j_mask_swaps {
        public static final FunctionDescriptor DESC = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_POINTER, C_LONG, C_LONG, C_POINTER, C_INT, C_INT, C_INT, C_DOUBLE, C_POINTER);
        public static final boolean CRITICAL = false;

        private prune4j_mask_swaps() {}

        private static final class Handle {
            static final MethodHandle HANDLE = NativeLibrary.downcall("prune4j_mask_swaps", DESC, CRITICAL);
        }
    }

    public static int prune4j_mask_swaps(MemorySegment ctx, MemorySegment w, MemorySegment v, MemorySegment g, MemorySegment h, long rows, long n, MemorySegment keep, int group, int max_swaps_per_row, int candidates, double tolerance, MemorySegment swaps) {
        try {
            return (int) prune4j_mask_swaps.Handle.HANDLE.invokeExact(ctx, w, v, g, h, rows, n, keep, group, max_swaps_per_row, candidates, tolerance, swaps);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
