// RIA's scores (RiaScores.java) in four kernels on the per-thread functions of ria_scores.cuh:
//  1. column sums per chunk of 64 rows, one thread per (column, chunk): coalesced along the row;
//  2. row sums, one thread per row over its columns in order (the CPU's order, so one serial chain
//     per row; its loads stay in L1 across a warp's neighbouring rows);
//  3. per column: the chunks' sums in order, the inverse and the activation factor;
//  4. the scores, one thread per group of 4 columns walking the rows (as wanda_scores.cu).
// No atomics: every sum has one fixed order, the CPU's, so the scores repeat run to run and equal
// the CPU engine's bit for bit up to pow's rounding of the column factor (ria_scores.cuh).
#include "linalg_shared.cuh"
#include "ria_scores.cuh"

#include <cmath>

namespace {

constexpr int THREADS = 256;
constexpr int GROUP = 4;

template <int DTYPE>
__global__ void __launch_bounds__(THREADS)
ria_chunk_sums(const void* w, int64_t rows, int64_t cols, int64_t chunks, double* partial) {
    const int64_t j = static_cast<int64_t>(blockIdx.x) * THREADS + threadIdx.x;
    if (j >= cols) return;
    for (int64_t c = blockIdx.y; c < chunks; c += gridDim.y) {
        partial[c * cols + j] = p4j::ria_chunk_column_sum<DTYPE>(w, rows, cols, c, j);
    }
}

template <int DTYPE>
__global__ void __launch_bounds__(THREADS) ria_row_sums(const void* w, int64_t rows, int64_t cols, double* inv_row) {
    const int64_t stride = static_cast<int64_t>(gridDim.x) * THREADS;
    for (int64_t r = static_cast<int64_t>(blockIdx.x) * THREADS + threadIdx.x; r < rows; r += stride) {
        inv_row[r] = p4j::ria_inverse(p4j::ria_row_sum<DTYPE>(w, cols, r));
    }
}

__global__ void __launch_bounds__(THREADS)
ria_columns(const double* partial, int64_t chunks, int64_t cols, const float* norm_sq, double tokens,
            double half_exponent, double* inv_col, double* scale) {
    const int64_t stride = static_cast<int64_t>(gridDim.x) * THREADS;
    for (int64_t j = static_cast<int64_t>(blockIdx.x) * THREADS + threadIdx.x; j < cols; j += stride) {
        p4j::ria_column_factors(partial, chunks, cols, j, norm_sq, tokens, half_exponent, inv_col + j, scale + j);
    }
}

template <int DTYPE>
__global__ void __launch_bounds__(THREADS)
ria_scores_kernel(const void* w, int64_t rows, int64_t cols, const double* inv_row, const double* inv_col,
                  const double* scale, float* scores) {
    const int64_t c0 = (static_cast<int64_t>(blockIdx.x) * THREADS + threadIdx.x) * GROUP;
    if (c0 >= cols) return;
    double ic[GROUP], sc[GROUP];
#pragma unroll
    for (int v = 0; v < GROUP; v++) {
        ic[v] = c0 + v < cols ? inv_col[c0 + v] : 0.0;
        sc[v] = c0 + v < cols ? scale[c0 + v] : 0.0;
    }
    for (int64_t r = blockIdx.y; r < rows; r += gridDim.y) {
        const double ir = inv_row[r];
        const uint64_t at = static_cast<uint64_t>(r * cols + c0);
#pragma unroll
        for (int v = 0; v < GROUP; v++) {
            if (c0 + v < cols) {
                scores[at + v] = p4j::ria_score(fabsf(p4j::load_f32<DTYPE>(w, at + v)), ic[v], ir, sc[v]);
            }
        }
    }
}

}  // namespace

extern "C" int prune4j_ria_scores(p4j_context* ctx, const void* w, int32_t dtype, int64_t rows, int64_t cols,
                                  const float* norm_sq, int64_t tokens, double exponent, float* scores) {
    if (rows < 0 || cols < 0) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "ria_scores: shape [%lld, %lld]", (long long)rows, (long long)cols);
    }
    if (tokens <= 0) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "ria_scores: activation statistics of %lld tokens; need at least one",
                         (long long)tokens);
    }
    if (!(exponent >= 0) || std::isinf(exponent)) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "ria_scores: exponent %g is not a finite number >= 0", exponent);
    }
    if (dtype != P4J_DTYPE_F32 && dtype != P4J_DTYPE_F16 && dtype != P4J_DTYPE_BF16) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "ria_scores: unknown dtype code %d", dtype);
    }
    P4J_CHECK(p4j::enter(ctx));
    if (rows == 0 || cols == 0) return P4J_OK;
    if (w == nullptr || norm_sq == nullptr || scores == nullptr) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "ria_scores: NULL w, norm_sq or scores");
    }
    const int64_t col_blocks = (cols + THREADS - 1) / THREADS;
    const int64_t group_blocks = (cols + int64_t{THREADS} * GROUP - 1) / (int64_t{THREADS} * GROUP);
    if (col_blocks > 0x7FFFFFFF) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "ria_scores: %lld columns", (long long)cols);
    const int64_t chunks = p4j::ria_chunks(rows);
    p4j::AsyncBuffer partial(ctx->stream), inv_row(ctx->stream), factors(ctx->stream);
    P4J_CHECK(partial.allocate(static_cast<size_t>(chunks * cols) * sizeof(double), "cudaMallocAsync (RIA column sums)"));
    P4J_CHECK(inv_row.allocate(static_cast<size_t>(rows) * sizeof(double), "cudaMallocAsync (RIA row sums)"));
    P4J_CHECK(factors.allocate(static_cast<size_t>(2 * cols) * sizeof(double), "cudaMallocAsync (RIA column factors)"));
    double* inv_col = factors.as<double>();
    double* scale = inv_col + cols;
    const unsigned row_blocks = p4j::grid_for(ctx, static_cast<uint64_t>(rows), THREADS);
    const unsigned factor_blocks = p4j::grid_for(ctx, static_cast<uint64_t>(cols), THREADS);
    const dim3 chunk_grid(static_cast<unsigned>(col_blocks), static_cast<unsigned>(chunks < 65535 ? chunks : 65535));
    int64_t score_rows = (int64_t{16} * ctx->sm_count + group_blocks - 1) / group_blocks;
    if (score_rows > rows) score_rows = rows;
    if (score_rows > 65535) score_rows = 65535;
    const dim3 score_grid(static_cast<unsigned>(group_blocks), static_cast<unsigned>(score_rows));
    P4J_CHECK(p4j::dispatch_dtype(dtype, "ria_scores", [&]<int DTYPE>() {
        ria_chunk_sums<DTYPE><<<chunk_grid, THREADS, 0, ctx->stream>>>(w, rows, cols, chunks, partial.as<double>());
        ria_row_sums<DTYPE><<<row_blocks, THREADS, 0, ctx->stream>>>(w, rows, cols, inv_row.as<double>());
        ria_columns<<<factor_blocks, THREADS, 0, ctx->stream>>>(partial.as<double>(), chunks, cols, norm_sq,
                                                               static_cast<double>(tokens), exponent / 2, inv_col, scale);
        ria_scores_kernel<DTYPE><<<score_grid, THREADS, 0, ctx->stream>>>(w, rows, cols, inv_row.as<double>(), inv_col,
                                                                         scale, scores);
        return P4J_OK;
    }));
    P4J_CUDA(cudaGetLastError(), "ria_scores launch");
    return P4J_OK;
}
