// SparseGPT's lazy update after a block, W[:, to:] -= Err @ Hinv[from:to, to:] (CpuKernels.trailingUpdate),
// as one cuBLASLt product in F32 (CUBLAS_COMPUTE_32F: F32 multiply-adds, no TF32, because the
// pruned weights must stay within 1e-4 of the CPU's).
//
// Row-major W [rows, cols], Err [rows, width], Hinv [cols, cols]; column-major, the update is
// W'^T [cols - to, rows] += -1 * Hinv'^T [cols - to, width] * Err^T [width, rows], where each
// transpose is the row-major matrix itself read column-major: no copies, no transposed operands.
#include "cublaslt_api.cuh"
#include "lt_matmul.cuh"

extern "C" int prune4j_obs_trailing_update(p4j_context* ctx, float* w, int64_t rows, int64_t cols, const float* err,
                                           const float* hinv, int64_t from, int64_t to) {
    P4J_CHECK(p4j::enter(ctx));
    if (rows < 0 || cols < 1 || from < 0 || to <= from || to > cols) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "obs_trailing_update: block [%lld, %lld) of W [%lld, %lld]",
                         (long long)from, (long long)to, (long long)rows, (long long)cols);
    }
    if (rows == 0 || to == cols) return P4J_OK;
    if (w == nullptr || err == nullptr || hinv == nullptr) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "obs_trailing_update: NULL w, err or hinv");
    }
    p4j::LtMatmul g{};
    g.type_ab = p4j::LT_R_32F;
    g.trans_a = false;
    g.trans_b = false;
    g.m = static_cast<uint64_t>(cols - to);
    g.n = static_cast<uint64_t>(rows);
    g.k = static_cast<uint64_t>(to - from);
    g.lda = cols;
    g.ldb = to - from;
    g.ldc = cols;
    return p4j::lt_matmul(ctx, g, -1.0f, hinv + from * cols + to, err, 1.0f, w + to, "obs_trailing_update (cublasLtMatmul)");
}
