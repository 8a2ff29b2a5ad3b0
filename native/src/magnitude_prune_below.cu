// Keep-mask from a magnitude threshold with the lower-flat-index tie-break: the twin of
// CpuEngine.pruneBelow. Three steps on the stream:
//  1. one warp per 64-element mask word (coalesced reads, two ballots) writes the keep word
//     (live and key >= threshold), the word of ties (live and key == threshold) and its popcount;
//  2. an exclusive prefix sum of the tie counts gives each word the number of ties before it;
//  3. each word clears its ties that fall among the first ties_to_prune, lowest index first.
#include "p4j_internal.cuh"

#include <cub/device/device_scan.cuh>

namespace {

using p4j::Keys;

template <int DTYPE, bool WIDE>
__global__ void keep_and_ties(const void* values, uint64_t numel, const uint64_t* live, int32_t threshold,
                              uint64_t* mask_out, uint64_t* tie_words, unsigned long long* tie_counts,
                              long long* nan_index) {
    const unsigned lane = threadIdx.x & 31;
    const uint64_t warp = (static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x) >> 5;
    const uint64_t warps = (static_cast<uint64_t>(gridDim.x) * blockDim.x) >> 5;
    const uint64_t words = (numel + 63) >> 6;
    for (uint64_t w = warp; w < words; w += warps) {
        uint32_t keep_half[2];
        uint32_t tie_half[2];
        for (int half = 0; half < 2; half++) {
            const uint64_t i = (w << 6) + half * 32 + lane;
            bool keep = false;
            bool tie = false;
            if (i < numel && p4j::is_live(live, i)) {
                uint32_t key = Keys<DTYPE, WIDE>::key(values, i);
                if (key > Keys<DTYPE, WIDE>::INFINITY_KEY) {
                    p4j::report_nan(nan_index, i);
                }
                // Keys are at most 31 bits, so a signed compare matches Java's int compare.
                keep = static_cast<int32_t>(key) >= threshold;
                tie = static_cast<int32_t>(key) == threshold;
            }
            keep_half[half] = __ballot_sync(0xFFFFFFFFu, keep);
            tie_half[half] = __ballot_sync(0xFFFFFFFFu, tie);
        }
        if (lane == 0) {
            const uint64_t ties = (static_cast<uint64_t>(tie_half[1]) << 32) | tie_half[0];
            mask_out[w] = (static_cast<uint64_t>(keep_half[1]) << 32) | keep_half[0];
            tie_words[w] = ties;
            tie_counts[w] = __popcll(ties);
        }
    }
}

// ties_before[w] = ties in words before w. Clears the ties of word w whose rank is < ties_to_prune.
__global__ void prune_first_ties(uint64_t words, const uint64_t* tie_words, const unsigned long long* ties_before,
                                 uint64_t ties_to_prune, uint64_t* mask_out) {
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t w = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; w < words; w += stride) {
        uint64_t ties = tie_words[w];
        const uint64_t before = ties_before[w];
        if (ties == 0 || before >= ties_to_prune) {
            continue;
        }
        mask_out[w] = p4j::clear_lowest_ties(mask_out[w], ties, ties_to_prune - before);
    }
}

// Frees stream-ordered scratch on every path out of the function.
struct StreamScratch {
    cudaStream_t stream;
    void* ptr = nullptr;
    explicit StreamScratch(cudaStream_t s) : stream(s) {}
    ~StreamScratch() {
        if (ptr != nullptr) cudaFreeAsync(ptr, stream);
    }
    cudaError_t allocate(size_t bytes) { return cudaMallocAsync(&ptr, bytes, stream); }
};

}  // namespace

extern "C" int prune4j_prune_below(p4j_context* ctx, const void* values, int32_t dtype, uint64_t numel,
                                   const uint64_t* live, int32_t key_space, int32_t threshold,
                                   uint64_t ties_to_prune, uint64_t* mask_out, uint64_t* ties_pruned,
                                   int64_t* nan_index) {
    if (nan_index != nullptr) {
        *nan_index = -1;
    }
    P4J_CHECK(p4j::enter(ctx));
    if (ties_pruned == nullptr || mask_out == nullptr || (values == nullptr && numel > 0)) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "prune_below: NULL values, mask_out or ties_pruned");
    }
    *ties_pruned = 0;
    if (numel == 0) {
        return p4j::check_keys(dtype, key_space);
    }
    const uint64_t words = (numel + 63) >> 6;
    StreamScratch tie_words(ctx->stream);
    StreamScratch tie_counts(ctx->stream);
    P4J_CUDA(tie_words.allocate(words * sizeof(uint64_t)), "cudaMallocAsync (prune_below tie words)");
    P4J_CUDA(tie_counts.allocate(words * sizeof(unsigned long long)), "cudaMallocAsync (prune_below tie counts)");
    auto* counts = static_cast<unsigned long long*>(tie_counts.ptr);
    auto* ties = static_cast<uint64_t*>(tie_words.ptr);
    P4J_CHECK(p4j::reset_nan(ctx));
    P4J_CHECK(p4j::dispatch_keys(dtype, key_space, [&]<int DTYPE, bool WIDE>() {
        const unsigned grid = p4j::grid_for(ctx, words * 32, p4j::THREADS);
        keep_and_ties<DTYPE, WIDE><<<grid, p4j::THREADS, 0, ctx->stream>>>(values, numel, live, threshold, mask_out,
                                                                          ties, counts, ctx->nan_index);
        return P4J_OK;
    }));
    P4J_CHECK(p4j::finish_nan_check(ctx, "prune_below", nan_index));
    // Ties present in the whole tensor: the last word's count before the scan overwrites it.
    unsigned long long last_count = 0;
    P4J_CUDA(cudaMemcpyAsync(&last_count, counts + words - 1, sizeof last_count, cudaMemcpyDeviceToHost, ctx->stream),
             "cudaMemcpyAsync (prune_below)");
    if (ties_to_prune > 0) {
        size_t temp_bytes = 0;
        P4J_CUDA(cub::DeviceScan::ExclusiveSum(nullptr, temp_bytes, counts, counts, static_cast<int64_t>(words),
                                               ctx->stream),
                 "cub::DeviceScan::ExclusiveSum (size)");
        StreamScratch temp(ctx->stream);
        P4J_CUDA(temp.allocate(temp_bytes), "cudaMallocAsync (prune_below scan)");
        P4J_CUDA(cub::DeviceScan::ExclusiveSum(temp.ptr, temp_bytes, counts, counts, static_cast<int64_t>(words),
                                               ctx->stream),
                 "cub::DeviceScan::ExclusiveSum");
        const unsigned grid = p4j::grid_for(ctx, words, p4j::THREADS);
        prune_first_ties<<<grid, p4j::THREADS, 0, ctx->stream>>>(words, ties, counts, ties_to_prune, mask_out);
        P4J_CUDA(cudaGetLastError(), "prune_first_ties launch");
    }
    unsigned long long before_last = 0;
    if (ties_to_prune > 0) {
        P4J_CUDA(cudaMemcpyAsync(&before_last, counts + words - 1, sizeof before_last, cudaMemcpyDeviceToHost,
                                 ctx->stream),
                 "cudaMemcpyAsync (prune_below)");
    }
    P4J_CUDA(cudaStreamSynchronize(ctx->stream), "prune_below");
    if (ties_to_prune > 0) {
        const uint64_t present = before_last + last_count;
        *ties_pruned = ties_to_prune < present ? ties_to_prune : present;
    }
    return P4J_OK;
}
