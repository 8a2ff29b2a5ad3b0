// SparseSwaps on the device (MaskSwaps.java): the row-wise 1-swaps of mask_swaps.cuh, one warp per
// row (up to SWAP_WARP_CANDIDATES candidates, every pair, or N:M groups) or one thread per row (more
// candidates), each row's working state in a scratch slot; and the D H product that starts it.
//
// Rows in flight are bounded by the slots (SWAP_SLOTS_PER_SM per SM, SWAP_SCRATCH_CAP bytes in
// all); a slot takes rows slot, slot + slots, ... Rows share mask words when n is not a multiple of
// 64: a row writes its bits with atomicAnd / atomicOr, which leaves the other rows' bits alone.
// For the same inputs every row comes out bit-identical to the CPU engine's (the arithmetic is in
// mask_swaps.cuh, the host test compares it with the Java CPU kernel); the swap count is summed
// with an integer atomic, the same on every run.
#include "cublaslt_api.cuh"
#include "linalg_shared.cuh"
#include "lt_matmul.cuh"
#include "mask_swaps.cuh"

#include <cmath>

namespace {

__global__ void hessian_diagonal(const float* h, int64_t n, float* diag) {
    const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
    for (int64_t j = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; j < n; j += stride) {
        diag[j] = h[j * n + j];
    }
}

__global__ void __launch_bounds__(p4j::SWAP_WARP_THREADS)
mask_swaps_warp(p4j::SwapLayer L, unsigned char* scratch, int64_t slots, unsigned long long* total) {
    const int64_t slot = static_cast<int64_t>(blockIdx.x) * (p4j::SWAP_WARP_THREADS / 32) + (threadIdx.x >> 5);
    if (slot >= slots) return;  // whole warps leave; no block-wide barrier below
    const p4j::DeviceWarp wp;
    const int lane = wp.lane();
    const p4j::SwapScratch s = p4j::swap_slot(scratch, slot, L.n, L.candidates);
    for (int64_t r = slot; r < L.rows; r += slots) {
        p4j::swap_load_row(L, r, s, lane, 32);
        wp.sync();
        const int64_t done = p4j::swap_refine_warp(wp, L, r, s);
        if (done > 0) {
            p4j::swap_store_row(L, r, s, lane, 32);
            if (lane == 0) atomicAdd(total, static_cast<unsigned long long>(done));
        }
        wp.sync();  // the slot is reused by the next row
    }
}

__global__ void __launch_bounds__(p4j::SWAP_SERIAL_THREADS)
mask_swaps_serial(p4j::SwapLayer L, unsigned char* scratch, int64_t slots, unsigned long long* total) {
    const int64_t slot = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (slot >= slots) return;
    const p4j::SwapScratch s = p4j::swap_slot(scratch, slot, L.n, L.candidates);
    for (int64_t r = slot; r < L.rows; r += slots) {
        p4j::swap_load_row(L, r, s, 0, 1);
        const int64_t done = p4j::swap_refine_serial(L, r, s);
        if (done > 0) {
            p4j::swap_store_row(L, r, s, 0, 1);
            atomicAdd(total, static_cast<unsigned long long>(done));
        }
    }
}

}  // namespace

extern "C" int prune4j_mask_swaps(p4j_context* ctx, const float* w, float* v, float* g, const float* h, int64_t rows,
                                  int64_t n, uint64_t* keep, int32_t group, int32_t max_swaps_per_row,
                                  int32_t candidates, double tolerance, int64_t* swaps) {
    if (swaps != nullptr) *swaps = 0;
    if (rows < 0 || n < 1 || n > INT32_MAX - 8) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "mask_swaps: W [%lld, %lld]", (long long)rows, (long long)n);
    }
    if (group < 1 || n % group != 0) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "mask_swaps: groups of %d columns in rows of %lld", group, (long long)n);
    }
    if (max_swaps_per_row < 0 || candidates < 0) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "mask_swaps: %d swaps per row, %d candidates", max_swaps_per_row,
                         candidates);
    }
    if (!(tolerance >= 0) || std::isinf(tolerance)) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "mask_swaps: tolerance %g is not a finite number >= 0", tolerance);
    }
    if (swaps == nullptr) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "mask_swaps: NULL swaps");
    P4J_CHECK(p4j::enter(ctx));
    if (rows == 0 || max_swaps_per_row == 0) return P4J_OK;
    if (w == nullptr || v == nullptr || g == nullptr || h == nullptr || keep == nullptr) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "mask_swaps: NULL w, v, g, h or keep");
    }
    p4j::SwapLayer L{};
    L.w = w;
    L.v = v;
    L.g = g;
    L.h = h;
    L.keep = keep;
    L.rows = rows;
    L.n = n;
    L.group = group;
    L.max_swaps = max_swaps_per_row;
    // MaskSwaps.RowState: the candidates restrict a whole-row search only.
    L.candidates = group == n ? candidates : 0;
    L.tolerance = tolerance;
    const bool warp = L.candidates <= p4j::SWAP_WARP_CANDIDATES;
    const int64_t slots = p4j::swap_slots(rows, n, L.candidates, ctx->sm_count,
                                          warp ? p4j::SWAP_SLOTS_PER_SM : p4j::SWAP_SLOTS_PER_SM * 4);
    const int64_t slot_bytes = p4j::swap_slot_bytes(n, L.candidates);
    p4j::AsyncBuffer diag(ctx->stream), scratch(ctx->stream);
    P4J_CHECK(diag.allocate(static_cast<size_t>(n) * sizeof(float), "cudaMallocAsync (mask swaps diagonal)"));
    P4J_CHECK(scratch.allocate(static_cast<size_t>(slots * slot_bytes), "cudaMallocAsync (mask swaps scratch)"));
    long long* flags = nullptr;
    P4J_CHECK(p4j::flags_reset(ctx, 1, &flags));
    P4J_CUDA(cudaMemsetAsync(flags, 0, sizeof(long long), ctx->stream), "cudaMemsetAsync (mask swaps count)");
    hessian_diagonal<<<p4j::grid_for(ctx, static_cast<uint64_t>(n), p4j::THREADS), p4j::THREADS, 0, ctx->stream>>>(
        h, n, diag.as<float>());
    P4J_CUDA(cudaGetLastError(), "mask_swaps (diagonal) launch");
    L.hdiag = diag.as<float>();
    auto* total = reinterpret_cast<unsigned long long*>(flags);
    if (warp) {
        constexpr int64_t per_block = p4j::SWAP_WARP_THREADS / 32;
        const unsigned blocks = static_cast<unsigned>((slots + per_block - 1) / per_block);
        mask_swaps_warp<<<blocks, p4j::SWAP_WARP_THREADS, 0, ctx->stream>>>(L, scratch.as<unsigned char>(), slots, total);
    } else {
        const unsigned blocks = static_cast<unsigned>((slots + p4j::SWAP_SERIAL_THREADS - 1) / p4j::SWAP_SERIAL_THREADS);
        mask_swaps_serial<<<blocks, p4j::SWAP_SERIAL_THREADS, 0, ctx->stream>>>(L, scratch.as<unsigned char>(), slots,
                                                                                 total);
    }
    P4J_CUDA(cudaGetLastError(), "mask_swaps launch");
    long long count = 0;
    P4J_CHECK(p4j::flags_read(ctx, 1, &count, "mask_swaps"));
    *swaps = count;
    return P4J_OK;
}

// out = D H (MaskSwaps.hessianProduct): row-major out [rows, n] is column-major out^T = H^T D^T, where
// column-major H^T and D^T are the row-major H and D as they are (quadratic_form.cu does the same).
// F32 multiply-adds (CUBLAS_COMPUTE_32F, no TF32): the CPU's blocked GEMM sums in another order, so
// the two differ by F32 rounding.
extern "C" int prune4j_hessian_product(p4j_context* ctx, const float* d, int64_t rows, int64_t n, const float* h,
                                       float* out) {
    if (rows < 0 || n < 1) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "hessian_product: D [%lld, %lld]", (long long)rows, (long long)n);
    }
    P4J_CHECK(p4j::enter(ctx));
    if (rows == 0) return P4J_OK;
    if (d == nullptr || h == nullptr || out == nullptr) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "hessian_product: NULL d, h or out");
    }
    p4j::LtMatmul g{};
    g.type_ab = p4j::LT_R_32F;
    g.trans_a = false;
    g.trans_b = false;
    g.m = static_cast<uint64_t>(n);
    g.n = static_cast<uint64_t>(rows);
    g.k = static_cast<uint64_t>(n);
    g.lda = n;
    g.ldb = n;
    g.ldc = n;
    return p4j::lt_matmul(ctx, g, 1.0f, h, d, 0.0f, out, "hessian_product (cublasLtMatmul)");
}
