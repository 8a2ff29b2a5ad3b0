// Radix-select histogram of magnitude keys: the twin of CpuEngine.magnitudeHistogram.
#include "p4j_internal.cuh"

namespace {

using p4j::Keys;

// Counts in shared memory (32-bit per block), then adds each non-zero bin to the global
// 64-bit histogram: one global atomic per bin and block instead of one per element.
template <int DTYPE, bool WIDE>
__global__ void histogram_shared(const void* values, uint64_t numel, const uint64_t* live, int shift,
                                 int bits, uint32_t prefix, unsigned long long* histogram,
                                 long long* nan_index) {
    extern __shared__ uint32_t counts[];
    const uint32_t buckets = 1u << bits;
    const uint32_t digit_mask = buckets - 1;
    for (uint32_t b = threadIdx.x; b < buckets; b += blockDim.x) {
        counts[b] = 0;
    }
    __syncthreads();
    const int prefix_shift = shift + bits;
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel; i += stride) {
        if (!p4j::is_live(live, i)) {
            continue;
        }
        uint32_t key = Keys<DTYPE, WIDE>::key(values, i);
        if (key > Keys<DTYPE, WIDE>::INFINITY_KEY) {
            p4j::report_nan(nan_index, i);
            continue;
        }
        if ((key >> prefix_shift) == prefix) {
            atomicAdd(&counts[(key >> shift) & digit_mask], 1u);
        }
    }
    __syncthreads();
    for (uint32_t b = threadIdx.x; b < buckets; b += blockDim.x) {
        if (counts[b] != 0) {
            atomicAdd(&histogram[b], static_cast<unsigned long long>(counts[b]));
        }
    }
}

// For histograms too large for shared memory: one global atomic per counted element.
template <int DTYPE, bool WIDE>
__global__ void histogram_global(const void* values, uint64_t numel, const uint64_t* live, int shift,
                                 int bits, uint32_t prefix, unsigned long long* histogram,
                                 long long* nan_index) {
    const uint32_t digit_mask = (1u << bits) - 1;
    const int prefix_shift = shift + bits;
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel; i += stride) {
        if (!p4j::is_live(live, i)) {
            continue;
        }
        uint32_t key = Keys<DTYPE, WIDE>::key(values, i);
        if (key > Keys<DTYPE, WIDE>::INFINITY_KEY) {
            p4j::report_nan(nan_index, i);
            continue;
        }
        if ((key >> prefix_shift) == prefix) {
            atomicAdd(&histogram[(key >> shift) & digit_mask], 1ull);
        }
    }
}

}  // namespace

extern "C" int prune4j_magnitude_histogram(p4j_context* ctx, const void* values, int32_t dtype, uint64_t numel,
                                           const uint64_t* live, int32_t key_space, int32_t shift, int32_t bits,
                                           int32_t prefix, uint64_t* histogram, int64_t* nan_index) {
    if (nan_index != nullptr) {
        *nan_index = -1;
    }
    P4J_CHECK(p4j::enter(ctx));
    if (bits < 1 || bits > 16 || shift < 0 || shift + bits > 31) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "bad radix pass: shift %d, bits %d", shift, bits);
    }
    if (histogram == nullptr || (values == nullptr && numel > 0)) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "magnitude_histogram: NULL values or histogram");
    }
    if (numel == 0) {
        return p4j::check_keys(dtype, key_space);
    }
    P4J_CHECK(p4j::reset_nan(ctx));
    const size_t shared_bytes = (size_t{1} << bits) * sizeof(uint32_t);
    auto* hist = reinterpret_cast<unsigned long long*>(histogram);
    P4J_CHECK(p4j::dispatch_keys(dtype, key_space, [&]<int DTYPE, bool WIDE>() {
        const unsigned grid = p4j::grid_for(ctx, numel, p4j::THREADS);
        if (shared_bytes <= ctx->max_shared_optin) {
            auto kernel = histogram_shared<DTYPE, WIDE>;
            if (shared_bytes > 48 * 1024) {
                P4J_CUDA(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                              static_cast<int>(shared_bytes)),
                         "cudaFuncSetAttribute (histogram shared memory)");
            }
            kernel<<<grid, p4j::THREADS, shared_bytes, ctx->stream>>>(values, numel, live, shift, bits,
                                                                      static_cast<uint32_t>(prefix), hist,
                                                                      ctx->nan_index);
        } else {
            histogram_global<DTYPE, WIDE><<<grid, p4j::THREADS, 0, ctx->stream>>>(
                values, numel, live, shift, bits, static_cast<uint32_t>(prefix), hist, ctx->nan_index);
        }
        return P4J_OK;
    }));
    return p4j::finish_nan_check(ctx, "magnitude_histogram", nan_index);
}

// The same radix pass without waiting: the lowest NaN flat index is folded into the caller's device
// slot nan_slot with atomicMin, so that a global selection can queue the passes of many tensors
// (one slot each) and read the slots and the summed histogram once.
extern "C" int prune4j_magnitude_histogram_async(p4j_context* ctx, const void* values, int32_t dtype, uint64_t numel,
                                                 const uint64_t* live, int32_t key_space, int32_t shift, int32_t bits,
                                                 int32_t prefix, uint64_t* histogram, int64_t* nan_slot) {
    P4J_CHECK(p4j::enter(ctx));
    if (bits < 1 || bits > 16 || shift < 0 || shift + bits > 31) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "bad radix pass: shift %d, bits %d", shift, bits);
    }
    if (histogram == nullptr || nan_slot == nullptr || (values == nullptr && numel > 0)) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "magnitude_histogram_async: NULL values, histogram or nan_slot");
    }
    if (numel == 0) {
        return p4j::check_keys(dtype, key_space);
    }
    const size_t shared_bytes = (size_t{1} << bits) * sizeof(uint32_t);
    auto* hist = reinterpret_cast<unsigned long long*>(histogram);
    auto* slot = reinterpret_cast<long long*>(nan_slot);
    P4J_CHECK(p4j::dispatch_keys(dtype, key_space, [&]<int DTYPE, bool WIDE>() {
        const unsigned grid = p4j::grid_for(ctx, numel, p4j::THREADS);
        if (shared_bytes <= ctx->max_shared_optin) {
            auto kernel = histogram_shared<DTYPE, WIDE>;
            if (shared_bytes > 48 * 1024) {
                P4J_CUDA(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                              static_cast<int>(shared_bytes)),
                         "cudaFuncSetAttribute (histogram shared memory)");
            }
            kernel<<<grid, p4j::THREADS, shared_bytes, ctx->stream>>>(values, numel, live, shift, bits,
                                                                      static_cast<uint32_t>(prefix), hist, slot);
        } else {
            histogram_global<DTYPE, WIDE><<<grid, p4j::THREADS, 0, ctx->stream>>>(
                values, numel, live, shift, bits, static_cast<uint32_t>(prefix), hist, slot);
        }
        return P4J_OK;
    }));
    P4J_CUDA(cudaGetLastError(), "magnitude_histogram_async launch");
    return P4J_OK;
}
