// N:M keep-masks: the twin of CpuEngine.pruneNm. One thread per group of m consecutive weights
// keeps the n largest keys; a weight's rank is the number of weights in its group with a larger
// key, or an equal key at a lower index, so ties go to the lower index as on the CPU.
#include "p4j_internal.cuh"

namespace {

using p4j::Keys;

// Groups up to this size keep their keys in registers; longer ones re-read them.
constexpr int LOCAL_GROUP = 16;

__device__ __forceinline__ void flush(uint64_t* mask_out, uint64_t word, uint64_t bits) {
    if (bits != 0) {
        atomicOr(reinterpret_cast<unsigned long long*>(mask_out) + word, static_cast<unsigned long long>(bits));
    }
}

template <int DTYPE, bool WIDE>
__global__ void prune_nm(const void* values, uint64_t groups, int n, int m, uint64_t* mask_out,
                         long long* nan_index) {
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t g = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; g < groups; g += stride) {
        const uint64_t base = g * static_cast<uint64_t>(m);
        uint32_t local[LOCAL_GROUP];
        bool nan = false;
        for (int j = 0; j < m; j++) {
            const uint32_t key = Keys<DTYPE, WIDE>::key(values, base + j);
            if (key > Keys<DTYPE, WIDE>::INFINITY_KEY) {
                p4j::report_nan(nan_index, base + j);
                nan = true;
            }
            if (j < LOCAL_GROUP) local[j] = key;
        }
        if (nan) continue;
        uint64_t word = base >> 6;
        uint64_t bits = 0;
        for (int j = 0; j < m; j++) {
            const uint32_t kj = j < LOCAL_GROUP ? local[j] : Keys<DTYPE, WIDE>::key(values, base + j);
            int rank = 0;
            for (int o = 0; o < m && rank < n; o++) {
                const uint32_t ko = o < LOCAL_GROUP ? local[o] : Keys<DTYPE, WIDE>::key(values, base + o);
                rank += (ko > kj || (ko == kj && o < j)) ? 1 : 0;
            }
            if (rank < n) {
                const uint64_t i = base + j;
                if ((i >> 6) != word) {
                    flush(mask_out, word, bits);
                    word = i >> 6;
                    bits = 0;
                }
                bits |= 1ull << (i & 63);
            }
        }
        flush(mask_out, word, bits);
    }
}

}  // namespace

extern "C" int prune4j_prune_nm(p4j_context* ctx, const void* values, int32_t dtype, uint64_t numel, int32_t n,
                                int32_t m, uint64_t* mask_out, int64_t* nan_index) {
    if (nan_index != nullptr) {
        *nan_index = -1;
    }
    P4J_CHECK(p4j::enter(ctx));
    if (n <= 0 || n >= m) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "N:M pattern needs 0 < N < M, got %d:%d", n, m);
    }
    if (numel % static_cast<uint64_t>(m) != 0) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "%llu weights are not a whole number of groups of %d",
                         static_cast<unsigned long long>(numel), m);
    }
    if (numel == 0) {
        return p4j::check_keys(dtype, p4j::key_space_of(dtype));
    }
    if (values == nullptr || mask_out == nullptr) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "prune_nm: NULL values or mask_out");
    }
    const uint64_t words = (numel + 63) >> 6;
    P4J_CUDA(cudaMemsetAsync(mask_out, 0, words * sizeof(uint64_t), ctx->stream), "cudaMemsetAsync (mask)");
    P4J_CHECK(p4j::reset_nan(ctx));
    const uint64_t groups = numel / static_cast<uint64_t>(m);
    P4J_CHECK(p4j::dispatch_keys(dtype, p4j::key_space_of(dtype), [&]<int DTYPE, bool WIDE>() {
        const unsigned grid = p4j::grid_for(ctx, groups, p4j::THREADS);
        prune_nm<DTYPE, WIDE><<<grid, p4j::THREADS, 0, ctx->stream>>>(values, groups, n, m, mask_out,
                                                                      ctx->nan_index);
        return P4J_OK;
    }));
    return p4j::finish_nan_check(ctx, "prune_nm", nan_index);
}
