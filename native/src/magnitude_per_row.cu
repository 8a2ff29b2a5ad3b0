// Per-row k-smallest magnitudes with the lower-column tie-break: the twin of
// CpuEngine.pruneSmallestPerRow. One block per row runs a radix select over the row's live keys
// (8-bit digits, most significant first: 2 passes for 16-bit keys, 4 for F32), which gives the key
// of the first kept weight and how many weights with that key are pruned; a last sweep over the
// row in column order prunes every smaller key and the first ties, ranked with a block scan.
#include "p4j_internal.cuh"

namespace {

using p4j::Keys;

constexpr int DIGIT_BITS = 8;
constexpr int BINS = 1 << DIGIT_BITS;
constexpr int WARPS = p4j::THREADS / 32;

__device__ __forceinline__ void clear_bit(uint64_t* mask, uint64_t i) {
    atomicAnd(reinterpret_cast<unsigned long long*>(mask) + (i >> 6), ~(1ull << (i & 63)));
}

// Exclusive prefix of flag over the block's threads (in thread order); *total gets the sum.
__device__ __forceinline__ uint32_t block_exclusive_count(bool flag, uint32_t* warp_totals, uint32_t* total) {
    const unsigned lane = threadIdx.x & 31;
    const unsigned warp = threadIdx.x >> 5;
    const uint32_t ballot = __ballot_sync(0xFFFFFFFFu, flag);
    const uint32_t in_warp = __popc(ballot & ((1u << lane) - 1));
    __syncthreads();  // warp_totals may still be read from the previous call
    if (lane == 0) {
        warp_totals[warp] = __popc(ballot);
    }
    __syncthreads();
    uint32_t before = 0;
    uint32_t sum = 0;
    for (unsigned w = 0; w < WARPS; w++) {
        if (w < warp) before += warp_totals[w];
        sum += warp_totals[w];
    }
    *total = sum;
    return before + in_warp;
}

template <int DTYPE, bool WIDE>
__global__ void __launch_bounds__(p4j::THREADS)
prune_smallest_per_row(const void* values, uint64_t rows, uint64_t cols, const uint64_t* live, int32_t per_row,
                       uint64_t* mask_out, long long* nan_index) {
    constexpr int WIDTH = WIDE ? 31 : 15;
    __shared__ uint32_t counts[BINS];
    __shared__ uint32_t warp_totals[WARPS];
    __shared__ uint32_t chosen_digit;
    __shared__ uint64_t rank_left;
    __shared__ uint64_t live_count;

    for (uint64_t r = blockIdx.x; r < rows; r += gridDim.x) {
        const uint64_t base = r * cols;
        uint32_t prefix = 0;
        int consumed = 0;
        uint64_t to_prune = 0;
        bool prune_all = false;
        while (consumed < WIDTH) {
            const int bits = WIDTH - consumed < DIGIT_BITS ? WIDTH - consumed : DIGIT_BITS;
            const int shift = WIDTH - consumed - bits;
            for (int b = threadIdx.x; b < BINS; b += blockDim.x) counts[b] = 0;
            __syncthreads();
            for (uint64_t j = threadIdx.x; j < cols; j += blockDim.x) {
                const uint64_t i = base + j;
                if (!p4j::is_live(live, i)) continue;
                const uint32_t key = Keys<DTYPE, WIDE>::key(values, i);
                if (consumed == 0 && key > Keys<DTYPE, WIDE>::INFINITY_KEY) {
                    p4j::report_nan(nan_index, i);
                    continue;
                }
                if ((key >> (shift + bits)) == prefix) {
                    atomicAdd(&counts[(key >> shift) & ((1u << bits) - 1)], 1u);
                }
            }
            __syncthreads();
            if (threadIdx.x == 0) {
                if (consumed == 0) {
                    uint64_t n = 0;
                    for (int b = 0; b < BINS; b++) n += counts[b];
                    live_count = n;
                    const int64_t already = static_cast<int64_t>(cols - n);
                    const int64_t want = static_cast<int64_t>(per_row) - already;
                    rank_left = want <= 0 ? 0 : static_cast<uint64_t>(want);
                }
                // The wanted key is the rank_left-th smallest (0-based) among keys with this prefix.
                uint64_t rank = rank_left;
                uint32_t digit = 0;
                while (digit < BINS - 1 && rank >= counts[digit]) {
                    rank -= counts[digit];
                    digit++;
                }
                chosen_digit = digit;
                rank_left = rank;
            }
            __syncthreads();
            if (consumed == 0) {
                const int64_t already = static_cast<int64_t>(cols - live_count);
                const int64_t want = static_cast<int64_t>(per_row) - already;
                to_prune = want <= 0 ? 0 : static_cast<uint64_t>(want);
                prune_all = to_prune >= live_count;
                if (to_prune == 0 || prune_all) break;
            }
            prefix = (prefix << bits) | chosen_digit;
            consumed += bits;
        }
        __syncthreads();
        if (to_prune > 0) {
            // Without prune_all: prefix is the key of the first kept weight, rank_left the ties to prune.
            const uint64_t ties_to_prune = prune_all ? 0 : rank_left;
            uint64_t ties_seen = 0;
            for (uint64_t tile = 0; tile < cols; tile += blockDim.x) {
                const uint64_t j = tile + threadIdx.x;
                bool tie = false;
                if (j < cols && p4j::is_live(live, base + j)) {
                    const uint32_t key = Keys<DTYPE, WIDE>::key(values, base + j);
                    if (prune_all || key < prefix) {
                        clear_bit(mask_out, base + j);
                    } else {
                        tie = key == prefix;
                    }
                }
                uint32_t tiles_ties = 0;
                const uint32_t before = block_exclusive_count(tie, warp_totals, &tiles_ties);
                if (tie && ties_seen + before < ties_to_prune) {
                    clear_bit(mask_out, base + j);
                }
                ties_seen += tiles_ties;
            }
        }
        __syncthreads();
    }
}

__global__ void clear_tail(uint64_t* mask_out, uint64_t numel) {
    const unsigned tail = numel & 63;
    if (tail != 0) {
        mask_out[numel >> 6] &= (1ull << tail) - 1;
    }
}

}  // namespace

extern "C" int prune4j_prune_smallest_per_row(p4j_context* ctx, const void* values, int32_t dtype, uint64_t rows,
                                              uint64_t cols, const uint64_t* live, int32_t per_row,
                                              uint64_t* mask_out, int64_t* nan_index) {
    if (nan_index != nullptr) {
        *nan_index = -1;
    }
    P4J_CHECK(p4j::enter(ctx));
    if (per_row < 0 || static_cast<uint64_t>(per_row) > cols) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "cannot prune %d of %llu weights per row", per_row,
                         static_cast<unsigned long long>(cols));
    }
    const uint64_t numel = rows * cols;
    if (cols != 0 && numel / cols != rows) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "rows * cols overflows");
    }
    if (numel == 0) {
        return p4j::check_keys(dtype, p4j::key_space_of(dtype));
    }
    if (values == nullptr || mask_out == nullptr) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "prune_smallest_per_row: NULL values or mask_out");
    }
    const uint64_t words = (numel + 63) >> 6;
    if (live != nullptr) {
        P4J_CUDA(cudaMemcpyAsync(mask_out, live, words * sizeof(uint64_t), cudaMemcpyDeviceToDevice, ctx->stream),
                 "cudaMemcpyAsync (copy live mask)");
    } else {
        P4J_CUDA(cudaMemsetAsync(mask_out, 0xFF, words * sizeof(uint64_t), ctx->stream), "cudaMemsetAsync (mask)");
        clear_tail<<<1, 1, 0, ctx->stream>>>(mask_out, numel);
    }
    P4J_CHECK(p4j::reset_nan(ctx));
    P4J_CHECK(p4j::dispatch_keys(dtype, p4j::key_space_of(dtype), [&]<int DTYPE, bool WIDE>() {
        const uint64_t cap = static_cast<uint64_t>(ctx->sm_count) * 16;
        const unsigned grid = static_cast<unsigned>(rows < cap ? rows : cap);
        prune_smallest_per_row<DTYPE, WIDE><<<grid, p4j::THREADS, 0, ctx->stream>>>(values, rows, cols, live, per_row,
                                                                                    mask_out, ctx->nan_index);
        return P4J_OK;
    }));
    return p4j::finish_nan_check(ctx, "prune_smallest_per_row", nan_index);
}
