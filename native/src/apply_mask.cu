// Zeroes pruned weights: the twin of CpuEngine.applyMask.
#include "p4j_internal.cuh"

namespace {

template <typename T>
__global__ void apply_mask_kernel(const T* src, const uint64_t* keep, uint64_t numel, T* dst) {
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel; i += stride) {
        bool kept = ((keep[i >> 6] >> (i & 63)) & 1u) != 0;
        dst[i] = kept ? src[i] : T{0};
    }
}

template <typename T>
void launch(p4j_context* ctx, const void* src, const uint64_t* keep, uint64_t numel, void* dst) {
    unsigned grid = p4j::grid_for(ctx, numel, p4j::THREADS);
    apply_mask_kernel<T><<<grid, p4j::THREADS, 0, ctx->stream>>>(static_cast<const T*>(src), keep, numel,
                                                                 static_cast<T*>(dst));
}

}  // namespace

extern "C" int prune4j_apply_mask(p4j_context* ctx, const void* src, const uint64_t* keep, uint64_t numel,
                                  int32_t element_bytes, void* dst) {
    P4J_CHECK(p4j::enter(ctx));
    if (numel == 0) {
        return P4J_OK;
    }
    if (src == nullptr || keep == nullptr || dst == nullptr) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "apply_mask: NULL src, keep or dst");
    }
    switch (element_bytes) {
        case 1: launch<uint8_t>(ctx, src, keep, numel, dst); break;
        case 2: launch<uint16_t>(ctx, src, keep, numel, dst); break;
        case 4: launch<uint32_t>(ctx, src, keep, numel, dst); break;
        case 8: launch<uint64_t>(ctx, src, keep, numel, dst); break;
        default:
            return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "apply_mask: element size %d (expected 1, 2, 4 or 8)",
                             element_bytes);
    }
    P4J_CUDA(cudaGetLastError(), "apply_mask launch");
    return P4J_OK;
}
