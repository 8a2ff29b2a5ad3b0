// Wanda's scores |W[i][j]| * sqrt(normSq[j] / tokens) in F32: the twin of CpuKernels.wandaScores.
// The column scale is computed as the CPU does, (float) sqrt((double) normSq[j] / tokens) (IEEE
// double division and square root are correctly rounded on both), and multiplied in F32 with one
// rounding, so the scores - and the masks the selection kernels then pick from them - are
// bit-identical to the CPU engine's. Each thread owns a group of 4 consecutive columns (one 8- or
// 16-byte load per row when the shape allows), computes their scales once, and walks the rows.
#include "float_bits.cuh"

namespace {

constexpr int THREADS = 256;
constexpr int GROUP = 4;

template <int DTYPE, bool VECTOR>
__global__ void __launch_bounds__(THREADS)
wanda_scores_kernel(const void* w, int64_t rows, int64_t cols, const float* norm_sq, double tokens, float* scores) {
    const int64_t c0 = (static_cast<int64_t>(blockIdx.x) * THREADS + threadIdx.x) * GROUP;
    if (c0 >= cols) return;
    float scale[GROUP];
#pragma unroll
    for (int v = 0; v < GROUP; v++) {
        scale[v] = c0 + v < cols ? static_cast<float>(sqrt(static_cast<double>(norm_sq[c0 + v]) / tokens)) : 0.0f;
    }
    for (int64_t r = blockIdx.y; r < rows; r += gridDim.y) {
        const uint64_t at = static_cast<uint64_t>(r * cols + c0);
        if constexpr (VECTOR) {
            float x[GROUP];
            if constexpr (DTYPE == P4J_DTYPE_F32) {
                const float4 raw = *reinterpret_cast<const float4*>(static_cast<const float*>(w) + at);
                x[0] = raw.x;
                x[1] = raw.y;
                x[2] = raw.z;
                x[3] = raw.w;
            } else {
                const uint2 raw = *reinterpret_cast<const uint2*>(static_cast<const uint16_t*>(w) + at);
                const uint32_t h[4] = {raw.x & 0xFFFFu, raw.x >> 16, raw.y & 0xFFFFu, raw.y >> 16};
#pragma unroll
                for (int v = 0; v < GROUP; v++) {
                    x[v] = DTYPE == P4J_DTYPE_F16 ? p4j::f16_to_f32(h[v]) : p4j::bf16_to_f32(h[v]);
                }
            }
            float4 out;
            out.x = p4j::mul_rn(fabsf(x[0]), scale[0]);
            out.y = p4j::mul_rn(fabsf(x[1]), scale[1]);
            out.z = p4j::mul_rn(fabsf(x[2]), scale[2]);
            out.w = p4j::mul_rn(fabsf(x[3]), scale[3]);
            *reinterpret_cast<float4*>(scores + at) = out;
        } else {
#pragma unroll
            for (int v = 0; v < GROUP; v++) {
                if (c0 + v < cols) scores[at + v] = p4j::mul_rn(fabsf(p4j::load_f32<DTYPE>(w, at + v)), scale[v]);
            }
        }
    }
}

}  // namespace

extern "C" int prune4j_wanda_scores(p4j_context* ctx, const void* w, int32_t dtype, int64_t rows, int64_t cols,
                                    const float* norm_sq, int64_t tokens, float* scores) {
    P4J_CHECK(p4j::enter(ctx));
    if (rows < 0 || cols < 0) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "wanda_scores: shape [%lld, %lld]", (long long)rows, (long long)cols);
    }
    if (tokens <= 0) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "wanda_scores: activation statistics of %lld tokens; need at least one",
                         (long long)tokens);
    }
    if (rows == 0 || cols == 0) return P4J_OK;
    if (w == nullptr || norm_sq == nullptr || scores == nullptr) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "wanda_scores: NULL w, norm_sq or scores");
    }
    const int bytes = dtype == P4J_DTYPE_F32 ? 4 : 2;
    const bool vector = cols % GROUP == 0 && reinterpret_cast<uintptr_t>(w) % (GROUP * bytes) == 0 &&
                        reinterpret_cast<uintptr_t>(scores) % 16 == 0;
    const int64_t col_blocks = (cols + int64_t{THREADS} * GROUP - 1) / (int64_t{THREADS} * GROUP);
    int64_t row_blocks = (int64_t{16} * ctx->sm_count + col_blocks - 1) / col_blocks;
    if (row_blocks > rows) row_blocks = rows;
    if (row_blocks > 65535) row_blocks = 65535;
    if (col_blocks > 0x7FFFFFFF) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "wanda_scores: %lld columns", (long long)cols);
    const dim3 grid(static_cast<unsigned>(col_blocks), static_cast<unsigned>(row_blocks));
    P4J_CHECK(p4j::dispatch_dtype(dtype, "wanda_scores", [&]<int DTYPE>() {
        if (vector) {
            wanda_scores_kernel<DTYPE, true><<<grid, THREADS, 0, ctx->stream>>>(w, rows, cols, norm_sq,
                                                                               static_cast<double>(tokens), scores);
        } else {
            wanda_scores_kernel<DTYPE, false><<<grid, THREADS, 0, ctx->stream>>>(w, rows, cols, norm_sq,
                                                                                static_cast<double>(tokens), scores);
        }
        return P4J_OK;
    }));
    P4J_CUDA(cudaGetLastError(), "wanda_scores launch");
    return P4J_OK;
}
