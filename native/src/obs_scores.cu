// SparseGPT's saliency on a block of columns, scores[r][j] = w[r][from + j]^2 / hinv[from + j][from + j]^2
// (CpuKernels.obsScores), F32 [rows, to - from], with the CPU's roundings (obs_row.cuh obs_score),
// so the block masks the selection kernels pick from them match the CPU engine's for equal W.
#include "obs_row.cuh"

namespace {

__global__ void obs_scores_kernel(const float* w, int64_t rows, int64_t cols, const float* hinv, int64_t from,
                                  int64_t width, float* scores) {
    const uint64_t numel = static_cast<uint64_t>(rows) * static_cast<uint64_t>(width);
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel; i += stride) {
        const int64_t r = static_cast<int64_t>(i / static_cast<uint64_t>(width));
        const int64_t j = static_cast<int64_t>(i) - r * width;
        const int64_t c = from + j;
        scores[i] = p4j::obs_score(w[r * cols + c], hinv[c * cols + c]);
    }
}

}  // namespace

extern "C" int prune4j_obs_scores(p4j_context* ctx, const float* w, int64_t rows, int64_t cols, const float* hinv,
                                  int64_t from, int64_t to, float* scores) {
    P4J_CHECK(p4j::enter(ctx));
    if (rows < 0 || cols < 1 || from < 0 || to <= from || to > cols) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "obs_scores: block [%lld, %lld) of W [%lld, %lld]", (long long)from,
                         (long long)to, (long long)rows, (long long)cols);
    }
    if (rows == 0) return P4J_OK;
    if (w == nullptr || hinv == nullptr || scores == nullptr) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "obs_scores: NULL w, hinv or scores");
    }
    const uint64_t numel = static_cast<uint64_t>(rows) * static_cast<uint64_t>(to - from);
    obs_scores_kernel<<<p4j::grid_for(ctx, numel, p4j::THREADS), p4j::THREADS, 0, ctx->stream>>>(w, rows, cols, hinv, from,
                                                                                                to - from, scores);
    P4J_CUDA(cudaGetLastError(), "obs_scores launch");
    return P4J_OK;
}
