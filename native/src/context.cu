// Library, error, context and device-memory functions of the C ABI (no kernels here).
#include "p4j_internal.cuh"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <new>

namespace {
// The last error of each thread: Java reads it right after the failing call on the same thread.
thread_local char last_error[1024] = "";
}  // namespace

namespace p4j {

int fail(int status, const char* format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(last_error, sizeof last_error, format, args);
    va_end(args);
    return status;
}

int cuda_fail(cudaError_t err, const char* what) {
    int status = P4J_ERR_CUDA;
    if (err == cudaErrorMemoryAllocation) {
        status = P4J_ERR_OUT_OF_MEMORY;
    } else if (err == cudaErrorInsufficientDriver) {
        status = P4J_ERR_NO_DRIVER;
    } else if (err == cudaErrorNoDevice) {
        status = P4J_ERR_NO_DEVICE;
    }
    // Clear a non-sticky error so that the next call's cudaGetLastError does not report it again.
    cudaGetLastError();
    return fail(status, "%s failed: %s (%s)", what, cudaGetErrorString(err), cudaGetErrorName(err));
}

int enter(p4j_context* ctx) {
    if (ctx == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "context is NULL");
    }
    P4J_CUDA(cudaSetDevice(ctx->device), "cudaSetDevice");
    return P4J_OK;
}

int reset_nan(p4j_context* ctx) {
    const long long none = INT64_MAX;
    P4J_CUDA(cudaMemcpyAsync(ctx->nan_index, &none, sizeof none, cudaMemcpyHostToDevice, ctx->stream),
             "cudaMemcpyAsync (NaN scratch)");
    return P4J_OK;
}

int finish_nan_check(p4j_context* ctx, const char* kernel, int64_t* nan_index) {
    P4J_CUDA(cudaGetLastError(), kernel);
    long long found = INT64_MAX;
    P4J_CUDA(cudaMemcpyAsync(&found, ctx->nan_index, sizeof found, cudaMemcpyDeviceToHost, ctx->stream),
             "cudaMemcpyAsync (NaN scratch)");
    P4J_CUDA(cudaStreamSynchronize(ctx->stream), kernel);
    if (found != INT64_MAX) {
        if (nan_index != nullptr) {
            *nan_index = found;
        }
        return fail(P4J_ERR_NAN, "%s: NaN at flat index %lld", kernel, found);
    }
    return P4J_OK;
}

unsigned grid_for(const p4j_context* ctx, uint64_t items, unsigned threads) {
    uint64_t needed = (items + threads - 1) / threads;
    uint64_t cap = static_cast<uint64_t>(ctx->sm_count) * 8;
    uint64_t blocks = needed < cap ? needed : cap;
    return static_cast<unsigned>(blocks < 1 ? 1 : blocks);
}

}  // namespace p4j

using p4j::fail;

extern "C" {

const char* prune4j_last_error(void) {
    return last_error;
}

int prune4j_abi_version(int32_t* version) {
    if (version == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "version is NULL");
    }
    *version = PRUNE4J_ABI_VERSION;
    return P4J_OK;
}

int prune4j_device_count(int32_t* count) {
    if (count == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "count is NULL");
    }
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err == cudaErrorNoDevice) {
        cudaGetLastError();
        *count = 0;
        return P4J_OK;
    }
    if (err != cudaSuccess) {
        cudaGetLastError();
        *count = 0;
        // No driver, a driver older than the runtime, or a driver that cannot start: no CUDA here.
        return fail(P4J_ERR_NO_DRIVER, "cudaGetDeviceCount failed: %s (%s)", cudaGetErrorString(err),
                    cudaGetErrorName(err));
    }
    *count = n;
    return P4J_OK;
}

int prune4j_context_create(int32_t device, p4j_context** out) {
    if (out == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "out is NULL");
    }
    *out = nullptr;
    int32_t count = 0;
    P4J_CHECK(prune4j_device_count(&count));
    if (device < 0 || device >= count) {
        return fail(P4J_ERR_NO_DEVICE, "no CUDA device %d (%d device%s found)", device, count, count == 1 ? "" : "s");
    }
    P4J_CUDA(cudaSetDevice(device), "cudaSetDevice");
    cudaDeviceProp props;
    P4J_CUDA(cudaGetDeviceProperties(&props, device), "cudaGetDeviceProperties");
    p4j_context* ctx = new (std::nothrow) p4j_context{};
    if (ctx == nullptr) {
        return fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory for a context");
    }
    ctx->device = device;
    std::snprintf(ctx->name, sizeof ctx->name, "%s", props.name);
    ctx->major = props.major;
    ctx->minor = props.minor;
    ctx->sm_count = props.multiProcessorCount;
    ctx->max_shared_optin = props.sharedMemPerBlockOptin;
    cudaError_t err = cudaStreamCreateWithFlags(&ctx->stream, cudaStreamNonBlocking);
    if (err != cudaSuccess) {
        delete ctx;
        return p4j::cuda_fail(err, "cudaStreamCreateWithFlags");
    }
    err = cudaMalloc(&ctx->nan_index, sizeof(long long));
    if (err != cudaSuccess) {
        cudaStreamDestroy(ctx->stream);
        delete ctx;
        return p4j::cuda_fail(err, "cudaMalloc (context scratch)");
    }
    *out = ctx;
    return P4J_OK;
}

int prune4j_context_destroy(p4j_context* ctx) {
    if (ctx == nullptr) {
        return P4J_OK;
    }
    cudaSetDevice(ctx->device);
    cudaError_t sync = cudaStreamSynchronize(ctx->stream);
    p4j::gemm_shared_release(ctx);
    p4j::linalg_shared_release(ctx);
    cudaError_t freed = cudaFree(ctx->nan_index);
    cudaError_t destroyed = cudaStreamDestroy(ctx->stream);
    delete ctx;
    if (sync != cudaSuccess) return p4j::cuda_fail(sync, "cudaStreamSynchronize (context destroy)");
    if (freed != cudaSuccess) return p4j::cuda_fail(freed, "cudaFree (context scratch)");
    if (destroyed != cudaSuccess) return p4j::cuda_fail(destroyed, "cudaStreamDestroy");
    return P4J_OK;
}

int prune4j_device_name(p4j_context* ctx, char* buffer, size_t capacity) {
    if (ctx == nullptr || buffer == nullptr || capacity == 0) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "context, buffer or capacity missing");
    }
    std::snprintf(buffer, capacity, "%s", ctx->name);
    return P4J_OK;
}

int prune4j_device_capability(p4j_context* ctx, int32_t* major, int32_t* minor) {
    if (ctx == nullptr || major == nullptr || minor == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "context, major or minor is NULL");
    }
    *major = ctx->major;
    *minor = ctx->minor;
    return P4J_OK;
}

int prune4j_device_memory(p4j_context* ctx, uint64_t* free_bytes, uint64_t* total_bytes) {
    if (free_bytes == nullptr || total_bytes == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "free_bytes or total_bytes is NULL");
    }
    P4J_CHECK(p4j::enter(ctx));
    size_t f = 0, t = 0;
    P4J_CUDA(cudaMemGetInfo(&f, &t), "cudaMemGetInfo");
    *free_bytes = f;
    *total_bytes = t;
    return P4J_OK;
}

int prune4j_malloc(p4j_context* ctx, uint64_t bytes, void** out) {
    if (out == nullptr || bytes == 0) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "out is NULL or bytes is 0");
    }
    *out = nullptr;
    P4J_CHECK(p4j::enter(ctx));
    cudaError_t err = cudaMalloc(out, bytes);
    if (err != cudaSuccess) {
        *out = nullptr;
        cudaGetLastError();
        size_t f = 0, t = 0;
        cudaMemGetInfo(&f, &t);
        return fail(err == cudaErrorMemoryAllocation ? P4J_ERR_OUT_OF_MEMORY : P4J_ERR_CUDA,
                    "cudaMalloc of %llu bytes failed on %s (%llu of %llu bytes free): %s",
                    static_cast<unsigned long long>(bytes), ctx->name, static_cast<unsigned long long>(f),
                    static_cast<unsigned long long>(t), cudaGetErrorString(err));
    }
    return P4J_OK;
}

int prune4j_free(p4j_context* ctx, void* device_ptr) {
    if (device_ptr == nullptr) {
        return P4J_OK;
    }
    P4J_CHECK(p4j::enter(ctx));
    P4J_CUDA(cudaStreamSynchronize(ctx->stream), "cudaStreamSynchronize (before cudaFree)");
    P4J_CUDA(cudaFree(device_ptr), "cudaFree");
    return P4J_OK;
}

int prune4j_memcpy_h2d(p4j_context* ctx, void* device_dst, const void* host_src, uint64_t bytes) {
    P4J_CHECK(p4j::enter(ctx));
    if (bytes == 0) return P4J_OK;
    if (device_dst == nullptr || host_src == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "memcpy_h2d: NULL pointer");
    }
    P4J_CUDA(cudaMemcpyAsync(device_dst, host_src, bytes, cudaMemcpyHostToDevice, ctx->stream), "cudaMemcpyAsync (h2d)");
    P4J_CUDA(cudaStreamSynchronize(ctx->stream), "cudaStreamSynchronize (h2d)");
    return P4J_OK;
}

int prune4j_memcpy_d2h(p4j_context* ctx, void* host_dst, const void* device_src, uint64_t bytes) {
    P4J_CHECK(p4j::enter(ctx));
    if (bytes == 0) return P4J_OK;
    if (host_dst == nullptr || device_src == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "memcpy_d2h: NULL pointer");
    }
    P4J_CUDA(cudaMemcpyAsync(host_dst, device_src, bytes, cudaMemcpyDeviceToHost, ctx->stream), "cudaMemcpyAsync (d2h)");
    P4J_CUDA(cudaStreamSynchronize(ctx->stream), "cudaStreamSynchronize (d2h)");
    return P4J_OK;
}

int prune4j_memset(p4j_context* ctx, void* device_dst, int32_t value, uint64_t bytes) {
    P4J_CHECK(p4j::enter(ctx));
    if (bytes == 0) return P4J_OK;
    if (device_dst == nullptr) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "memset: NULL pointer");
    }
    P4J_CUDA(cudaMemsetAsync(device_dst, value & 0xFF, bytes, ctx->stream), "cudaMemsetAsync");
    return P4J_OK;
}

int prune4j_synchronize(p4j_context* ctx) {
    P4J_CHECK(p4j::enter(ctx));
    P4J_CUDA(cudaStreamSynchronize(ctx->stream), "cudaStreamSynchronize");
    return P4J_OK;
}

}  // extern "C"
