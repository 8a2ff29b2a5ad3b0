// SparseGPT's preparation of a layer's Hessian, as SparseGpt.prune does it before the Cholesky
// inverse: dead inputs (H[j][j] == 0: the input never fired) get their weights zeroed, and the
// factorised copy gets H[j][j] = 1 there plus the damping percdamp * mean(diag H) on the whole
// diagonal (the mean counts a dead input's diagonal as 1).
#include "float_bits.cuh"
#include "linalg_shared.cuh"

namespace {

constexpr int MEAN_THREADS = 1024;

// w[r][j] = 0 for every row r and every dead input j. Reads the diagonal only; writes only the
// dead columns.
__global__ void zero_dead_columns(const float* h, int64_t n, float* w, int64_t rows) {
    const uint64_t numel = static_cast<uint64_t>(rows) * static_cast<uint64_t>(n);
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel; i += stride) {
        const int64_t j = static_cast<int64_t>(i % static_cast<uint64_t>(n));
        if (h[j * n + j] == 0.0f) w[i] = 0.0f;
    }
}

__global__ void count_dead(const float* h, int64_t n, unsigned long long* count) {
    const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
    for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < n; j += stride) {
        if (h[j * n + j] == 0.0f) atomicAdd(count, 1ull);
    }
}

// out[0] = mean of the diagonal in double, dead entries counted as 1; one block, a fixed order
// (strided per-thread sums, then a tree), so every run gives the same value.
__global__ void __launch_bounds__(MEAN_THREADS) diagonal_mean(const float* h, int64_t n, double* out) {
    __shared__ double part[MEAN_THREADS];
    double s = 0.0;
    for (int64_t j = threadIdx.x; j < n; j += MEAN_THREADS) {
        const float d = h[j * n + j];
        s += d == 0.0f ? 1.0 : static_cast<double>(d);
    }
    part[threadIdx.x] = s;
    __syncthreads();
    for (int half = MEAN_THREADS / 2; half > 0; half >>= 1) {
        if (threadIdx.x < half) part[threadIdx.x] += part[threadIdx.x + half];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[0] = part[0] / static_cast<double>(n);
}

// hinv[j][j] = (dead ? 1 : h[j][j]) + (float) (percdamp * mean), the float sum of CpuEngine's loop.
__global__ void damp_diagonal(const float* h, int64_t n, double percdamp, const double* mean, float* hinv) {
    const float damp = static_cast<float>(percdamp * mean[0]);
    const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
    for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < n; j += stride) {
        const float d = h[j * n + j];
        hinv[j * n + j] = p4j::add_rn(d == 0.0f ? 1.0f : d, damp);
    }
}

}  // namespace

extern "C" int prune4j_sparsegpt_dead_inputs(p4j_context* ctx, const float* h, int64_t n, float* w, int64_t rows,
                                             int64_t* dead_count) {
    P4J_CHECK(p4j::enter(ctx));
    if (n < 1 || rows < 0) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "sparsegpt_dead_inputs: H [%lld, %lld], W [%lld, %lld]", (long long)n,
                         (long long)n, (long long)rows, (long long)n);
    }
    if (h == nullptr || (w == nullptr && rows > 0)) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "sparsegpt_dead_inputs: NULL h or w");
    }
    const uint64_t numel = static_cast<uint64_t>(rows) * static_cast<uint64_t>(n);
    if (numel > 0) {
        zero_dead_columns<<<p4j::grid_for(ctx, numel, p4j::THREADS), p4j::THREADS, 0, ctx->stream>>>(h, n, w, rows);
        P4J_CUDA(cudaGetLastError(), "zero_dead_columns launch");
    }
    if (dead_count == nullptr) return P4J_OK;
    long long* flags = nullptr;
    P4J_CHECK(p4j::flags_reset(ctx, 1, &flags));
    P4J_CUDA(cudaMemsetAsync(flags, 0, sizeof(long long), ctx->stream), "cudaMemsetAsync (dead count)");
    count_dead<<<p4j::grid_for(ctx, static_cast<uint64_t>(n), p4j::THREADS), p4j::THREADS, 0, ctx->stream>>>(
        h, n, reinterpret_cast<unsigned long long*>(flags));
    long long found = 0;
    P4J_CHECK(p4j::flags_read(ctx, 1, &found, "sparsegpt_dead_inputs"));
    *dead_count = found;
    return P4J_OK;
}

extern "C" int prune4j_sparsegpt_damp(p4j_context* ctx, const float* h, int64_t n, double percdamp, float* hinv,
                                      double* mean_diagonal) {
    P4J_CHECK(p4j::enter(ctx));
    if (n < 1) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "sparsegpt_damp: H [%lld, %lld]", (long long)n, (long long)n);
    if (h == nullptr || hinv == nullptr || h == hinv) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "sparsegpt_damp: h and hinv must be two distinct buffers");
    }
    if (!(percdamp >= 0.0) || percdamp > 1e300) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "sparsegpt_damp: damping %g is not a finite number >= 0", percdamp);
    }
    long long* flags = nullptr;
    P4J_CHECK(p4j::flags_reset(ctx, 1, &flags));
    double* mean = reinterpret_cast<double*>(flags);
    diagonal_mean<<<1, MEAN_THREADS, 0, ctx->stream>>>(h, n, mean);
    P4J_CUDA(cudaGetLastError(), "diagonal_mean launch");
    P4J_CUDA(cudaMemcpyAsync(hinv, h, static_cast<size_t>(n) * static_cast<size_t>(n) * sizeof(float),
                             cudaMemcpyDeviceToDevice, ctx->stream),
             "cudaMemcpyAsync (H to hinv)");
    damp_diagonal<<<p4j::grid_for(ctx, static_cast<uint64_t>(n), p4j::THREADS), p4j::THREADS, 0, ctx->stream>>>(
        h, n, percdamp, mean, hinv);
    P4J_CUDA(cudaGetLastError(), "damp_diagonal launch");
    if (mean_diagonal == nullptr) return P4J_OK;
    long long bits = 0;
    P4J_CHECK(p4j::flags_read(ctx, 1, &bits, "sparsegpt_damp"));
    std::memcpy(mean_diagonal, &bits, sizeof bits);
    return P4J_OK;
}
