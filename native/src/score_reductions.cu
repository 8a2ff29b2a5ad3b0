// OWL's score sum and outlier count (ScoreReductions.java) on the per-thread functions of
// score_reductions.cuh. The sum: one thread per chunk of 65536 elements in flat order (the CPU's
// chunks: a serial chain per chunk, about 0.2 ms whatever the tensor's size), then one thread adds
// the chunks' sums in order, so the result equals the CPU engine's bit for bit and repeats run to
// run. The count: integer partial counts per thread, a warp sum, one integer atomic per warp.
#include "linalg_shared.cuh"
#include "score_reductions.cuh"

#include <cstring>

namespace {

constexpr int THREADS = 256;

__global__ void __launch_bounds__(THREADS) score_chunk_sums(const float* t, uint64_t numel, int64_t chunks, double* partial) {
    const int64_t stride = static_cast<int64_t>(gridDim.x) * THREADS;
    for (int64_t c = static_cast<int64_t>(blockIdx.x) * THREADS + threadIdx.x; c < chunks; c += stride) {
        partial[c] = p4j::score_chunk_sum(t, numel, c);
    }
}

__global__ void score_sum_total(const double* partial, int64_t chunks, double* out) {
    out[0] = p4j::score_total(partial, chunks);
}

__global__ void __launch_bounds__(THREADS)
score_count_kernel(const float* t, uint64_t numel, float threshold, unsigned long long* count) {
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * THREADS;
    const uint64_t first = static_cast<uint64_t>(blockIdx.x) * THREADS + threadIdx.x;
    unsigned long long k = p4j::score_count_above(t, numel, first, stride, threshold);
    for (int off = 16; off > 0; off >>= 1) k += __shfl_down_sync(0xFFFFFFFFu, k, off);
    if ((threadIdx.x & 31) == 0 && k != 0) atomicAdd(count, k);
}

}  // namespace

extern "C" int prune4j_score_sum(p4j_context* ctx, const float* t, uint64_t numel, double* sum) {
    if (sum != nullptr) *sum = 0.0;
    if (sum == nullptr) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "score_sum: NULL sum");
    P4J_CHECK(p4j::enter(ctx));
    if (numel == 0) return P4J_OK;
    if (t == nullptr) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "score_sum: NULL t");
    const int64_t chunks = p4j::score_chunks(numel);
    p4j::AsyncBuffer partial(ctx->stream);
    P4J_CHECK(partial.allocate(static_cast<size_t>(chunks) * sizeof(double), "cudaMallocAsync (score sum chunks)"));
    long long* flags = nullptr;
    P4J_CHECK(p4j::flags_reset(ctx, 1, &flags));
    score_chunk_sums<<<p4j::grid_for(ctx, static_cast<uint64_t>(chunks), THREADS), THREADS, 0, ctx->stream>>>(
        t, numel, chunks, partial.as<double>());
    score_sum_total<<<1, 1, 0, ctx->stream>>>(partial.as<double>(), chunks, reinterpret_cast<double*>(flags));
    long long bits = 0;
    P4J_CHECK(p4j::flags_read(ctx, 1, &bits, "score_sum"));
    std::memcpy(sum, &bits, sizeof bits);
    return P4J_OK;
}

extern "C" int prune4j_count_above(p4j_context* ctx, const float* t, uint64_t numel, float threshold, int64_t* count) {
    if (count != nullptr) *count = 0;
    if (count == nullptr) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "count_above: NULL count");
    P4J_CHECK(p4j::enter(ctx));
    if (numel == 0) return P4J_OK;
    if (t == nullptr) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "count_above: NULL t");
    long long* flags = nullptr;
    P4J_CHECK(p4j::flags_reset(ctx, 1, &flags));
    P4J_CUDA(cudaMemsetAsync(flags, 0, sizeof(long long), ctx->stream), "cudaMemsetAsync (count above)");
    score_count_kernel<<<p4j::grid_for(ctx, numel, THREADS), THREADS, 0, ctx->stream>>>(
        t, numel, threshold, reinterpret_cast<unsigned long long*>(flags));
    long long k = 0;
    P4J_CHECK(p4j::flags_read(ctx, 1, &k, "count_above"));
    *count = k;
    return P4J_OK;
}
