// SparseGPT's Hessian update H <- decay * H + (s X)^T (s X): the twin of CpuKernels.hessianUpdate.
//
// X [tokens, n] (F16, BF16 or F32, as uploaded) is read by cuBLASLt directly: the product runs on
// the tensor cores for 16-bit inputs, F32 accumulation and F32 output, with alpha = s^2 and
// beta = decay, so X is never scaled or converted in memory. Only the upper triangle is computed,
// as horizontal strips (calib_layout.cuh: 4 strips for n = 4096 do 62.5 % of the full product's
// work), and then mirrored below the diagonal by a tiled transpose: H is exactly symmetric after
// every call, as on the CPU.
//
// Non-finite inputs: any NaN or infinity in column j of X makes H[j][j], a sum of squares,
// non-finite, and an overflowing product x_i x_j overflows x_i^2 or x_j^2 as well; so the mirror
// kernel checks only the diagonal (n values instead of n^2). Only when one is bad does a second
// kernel scan X for the lowest flat index of a non-finite element.
#include "calib_layout.cuh"
#include "cublaslt_api.cuh"
#include "float_bits.cuh"
#include "linalg_shared.cuh"
#include "lt_matmul.cuh"

namespace {

constexpr int TILE = p4j::MIRROR_TILE;
constexpr int TILE_ROWS = 8;

// One tile on or below the diagonal: strict-lower elements <- their upper mirror images; on the
// diagonal tiles, the lowest non-finite diagonal entry is reported as its flat index.
__global__ void __launch_bounds__(TILE * TILE_ROWS)
mirror_upper(float* h, int64_t n, long long* bad_diagonal) {
    __shared__ float tile[TILE][TILE + 1];
    uint64_t bi = 0, bj = 0;
    p4j::mirror_tile(blockIdx.x, &bi, &bj);
    const int64_t src_row0 = static_cast<int64_t>(bj) * TILE;
    const int64_t src_col0 = static_cast<int64_t>(bi) * TILE;
    for (int y = threadIdx.y; y < TILE; y += TILE_ROWS) {
        const int64_t r = src_row0 + y;
        const int64_t c = src_col0 + threadIdx.x;
        if (r < n && c < n) tile[y][threadIdx.x] = h[r * n + c];
    }
    __syncthreads();
    for (int y = threadIdx.y; y < TILE; y += TILE_ROWS) {
        const int64_t row = src_col0 + y;  // destination (row, col) = (bi block + y, bj block + x)
        const int64_t col = src_row0 + threadIdx.x;
        if (row < n && col < n && row > col) h[row * n + col] = tile[threadIdx.x][y];
    }
    if (bi == bj && threadIdx.y == 0) {
        const int64_t i = src_col0 + threadIdx.x;
        if (i < n && p4j::f32_bits_not_finite(__float_as_uint(tile[threadIdx.x][threadIdx.x]))) {
            p4j::report_index(bad_diagonal, static_cast<uint64_t>(i * n + i));
        }
    }
}

__global__ void scale_all(float* h, uint64_t numel, float decay) {
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel; i += stride) {
        h[i] = h[i] * decay;
    }
}

template <int DTYPE>
__global__ void find_not_finite(const void* x, uint64_t numel, long long* bad) {
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel; i += stride) {
        if (p4j::element_not_finite<DTYPE>(x, i)) p4j::report_index(bad, i);
    }
}

}  // namespace

extern "C" int prune4j_hessian_update(p4j_context* ctx, float* h, int64_t in_features, const void* x, int32_t dtype,
                                      int64_t tokens, float decay, float input_scale, int64_t* bad_input,
                                      int64_t* bad_output) {
    if (bad_input != nullptr) *bad_input = -1;
    if (bad_output != nullptr) *bad_output = -1;
    P4J_CHECK(p4j::enter(ctx));
    const int64_t n = in_features;
    if (n < 1 || tokens < 0) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "hessian_update: H [%lld, %lld], X [%lld, %lld]", (long long)n,
                         (long long)n, (long long)tokens, (long long)n);
    }
    if (dtype != P4J_DTYPE_F32 && dtype != P4J_DTYPE_F16 && dtype != P4J_DTYPE_BF16) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "hessian_update: unknown dtype code %d", dtype);
    }
    if (h == nullptr || (x == nullptr && tokens > 0)) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "hessian_update: NULL h or x");
    }
    long long* flags = nullptr;
    P4J_CHECK(p4j::flags_reset(ctx, 2, &flags));
    if (tokens > 0) {
        // Strip k: rows [s0, s1) x columns [s0, n) of row-major H, i.e. the column-major block
        // C [n - s0, s1 - s0] at h + s0 * n + s0 (ld n), C = alpha A B^T + beta C with A = X^T rows
        // [s0, n) and B = X^T rows [s0, s1): column-major X^T is row-major X, ld n.
        const float alpha = static_cast<float>(static_cast<double>(input_scale) * input_scale);
        const p4j::Strips strips = p4j::hessian_strips(n);
        const size_t esize = static_cast<size_t>(p4j::dtype_bytes(dtype));
        const char* xb = static_cast<const char*>(x);
        for (int k = 0; k < strips.count; k++) {
            const int64_t s0 = strips.start[k];
            const int64_t s1 = strips.start[k + 1];
            p4j::LtMatmul g{};
            g.type_ab = p4j::lt_type_of(dtype);
            g.trans_a = false;
            g.trans_b = true;
            g.m = static_cast<uint64_t>(n - s0);
            g.n = static_cast<uint64_t>(s1 - s0);
            g.k = static_cast<uint64_t>(tokens);
            g.lda = n;
            g.ldb = n;
            g.ldc = n;
            P4J_CHECK(p4j::lt_matmul(ctx, g, alpha, xb + s0 * esize, xb + s0 * esize, decay, h + s0 * n + s0,
                                     "hessian_update (cublasLtMatmul)"));
        }
    } else if (decay != 1.0f) {
        const uint64_t numel = static_cast<uint64_t>(n) * static_cast<uint64_t>(n);
        scale_all<<<p4j::grid_for(ctx, numel, p4j::THREADS), p4j::THREADS, 0, ctx->stream>>>(h, numel, decay);
        P4J_CUDA(cudaGetLastError(), "hessian_update (scale) launch");
    }
    const uint64_t tiles = p4j::mirror_tile_count(n);
    if (tiles > 0x7FFFFFFFull) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "hessian_update: n = %lld is too large", (long long)n);
    mirror_upper<<<static_cast<unsigned>(tiles), dim3(TILE, TILE_ROWS), 0, ctx->stream>>>(h, n, flags + 1);
    P4J_CUDA(cudaGetLastError(), "hessian_update (mirror) launch");
    long long found[2];
    P4J_CHECK(p4j::flags_read(ctx, 2, found, "hessian_update"));
    if (found[1] == p4j::FLAG_NONE) return P4J_OK;
    if (bad_output != nullptr) *bad_output = found[1];
    if (tokens > 0) {
        const uint64_t numel = static_cast<uint64_t>(tokens) * static_cast<uint64_t>(n);
        P4J_CHECK(p4j::dispatch_dtype(dtype, "hessian_update", [&]<int DTYPE>() {
            find_not_finite<DTYPE><<<p4j::grid_for(ctx, numel, p4j::THREADS), p4j::THREADS, 0, ctx->stream>>>(x, numel,
                                                                                                              flags);
            return P4J_OK;
        }));
        P4J_CHECK(p4j::flags_read(ctx, 2, found, "hessian_update (input scan)"));
    }
    if (found[0] != p4j::FLAG_NONE) {
        if (bad_input != nullptr) *bad_input = found[0];
        return p4j::fail(P4J_ERR_NOT_FINITE, "hessian_update: input [%lld, %lld] holds a NaN or infinity at flat index "
                         "%lld (row %lld, column %lld)", (long long)tokens, (long long)n, found[0], found[0] / n, found[0] % n);
    }
    return p4j::fail(P4J_ERR_NOT_FINITE, "hessian_update: H[%lld][%lld] is not finite after the update (input finite: "
                     "overflow, or H was not finite before)", found[1] / n, found[1] % n);
}
