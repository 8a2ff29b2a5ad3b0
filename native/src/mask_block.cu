// Copies a block's keep-mask [rows, width] (what the selection kernels and obs_block produce for
// columns [from, from + width)) into the layer's mask [rows, cols], so that a layer's mask is
// assembled on the device, block by block, as SparseGpt.prune does on the host. Each thread takes
// one mask word of one row's range (mask_bits.cuh: insert_block_word) and changes only that row's
// bits, with atomics, because one word can hold the ends of two rows' ranges.
#include "mask_bits.cuh"
#include "p4j_internal.cuh"

namespace {

__global__ void insert_block(const uint64_t* block_keep, int64_t rows, int64_t width, uint64_t* keep, int64_t cols,
                             int64_t from) {
    const int64_t per_row = p4j::block_words_per_row(width);
    const uint64_t items = static_cast<uint64_t>(rows) * static_cast<uint64_t>(per_row);
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t t = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; t < items; t += stride) {
        const int64_t r = static_cast<int64_t>(t / static_cast<uint64_t>(per_row));
        const int64_t k = static_cast<int64_t>(t) - r * per_row;
        uint64_t word = 0, mask = 0, value = 0;
        if (p4j::insert_block_word(block_keep, width, cols, from, r, k, &word, &mask, &value)) {
            auto* dst = reinterpret_cast<unsigned long long*>(keep) + word;
            atomicAnd(dst, ~static_cast<unsigned long long>(mask));
            atomicOr(dst, static_cast<unsigned long long>(value));
        }
    }
}

}  // namespace

extern "C" int prune4j_mask_insert_block(p4j_context* ctx, const uint64_t* block_keep, int64_t rows, int64_t width,
                                         uint64_t* keep, int64_t cols, int64_t from) {
    P4J_CHECK(p4j::enter(ctx));
    if (rows < 0 || width < 1 || from < 0 || cols < from + width) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "mask_insert_block: block of %lld columns at %lld in rows of %lld",
                         (long long)width, (long long)from, (long long)cols);
    }
    if (rows == 0) return P4J_OK;
    if (block_keep == nullptr || keep == nullptr) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "mask_insert_block: NULL block_keep or keep");
    }
    const uint64_t items = static_cast<uint64_t>(rows) * static_cast<uint64_t>(p4j::block_words_per_row(width));
    insert_block<<<p4j::grid_for(ctx, items, p4j::THREADS), p4j::THREADS, 0, ctx->stream>>>(block_keep, rows, width, keep,
                                                                                            cols, from);
    P4J_CUDA(cudaGetLastError(), "mask_insert_block launch");
    return P4J_OK;
}
