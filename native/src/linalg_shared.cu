// Per-context state of the calibration and SparseGPT kernels (linalg_shared.cuh).
#include "linalg_shared.cuh"

#include <new>

namespace p4j {

namespace {
constexpr size_t LT_WORKSPACE_BYTES = size_t(32) << 20;
}  // namespace

int linalg_shared(p4j_context* ctx, p4j_linalg_shared** out) {
    if (ctx->linalg == nullptr) {
        auto* s = new (std::nothrow) p4j_linalg_shared{};
        if (s == nullptr) return fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory");
        cudaError_t err = cudaMalloc(&s->flags, FLAG_SLOTS * sizeof(long long));
        if (err != cudaSuccess) {
            delete s;
            return cuda_fail(err, "cudaMalloc (kernel flags)");
        }
        ctx->linalg = s;
    }
    *out = ctx->linalg;
    return P4J_OK;
}

int lt_workspace(p4j_context* ctx, void** ptr, size_t* bytes) {
    p4j_linalg_shared* s = nullptr;
    P4J_CHECK(linalg_shared(ctx, &s));
    if (s->lt_workspace == nullptr) {
        P4J_CUDA(cudaMalloc(&s->lt_workspace, LT_WORKSPACE_BYTES), "cudaMalloc (cuBLASLt workspace)");
        s->lt_workspace_bytes = LT_WORKSPACE_BYTES;
    }
    *ptr = s->lt_workspace;
    *bytes = s->lt_workspace_bytes;
    return P4J_OK;
}

int flags_reset(p4j_context* ctx, int count, long long** flags) {
    p4j_linalg_shared* s = nullptr;
    P4J_CHECK(linalg_shared(ctx, &s));
    static const long long none[FLAG_SLOTS] = {FLAG_NONE, FLAG_NONE, FLAG_NONE, FLAG_NONE,
                                               FLAG_NONE, FLAG_NONE, FLAG_NONE, FLAG_NONE};
    if (count < 1 || count > FLAG_SLOTS) return fail(P4J_ERR_INVALID_ARGUMENT, "flags_reset: %d slots", count);
    // From static host memory: the copy may still be in flight when this function returns.
    P4J_CUDA(cudaMemcpyAsync(s->flags, none, count * sizeof(long long), cudaMemcpyHostToDevice, ctx->stream),
             "cudaMemcpyAsync (reset kernel flags)");
    *flags = s->flags;
    return P4J_OK;
}

int flags_read(p4j_context* ctx, int count, long long* host, const char* what) {
    P4J_CUDA(cudaGetLastError(), what);
    P4J_CUDA(cudaMemcpyAsync(host, ctx->linalg->flags, count * sizeof(long long), cudaMemcpyDeviceToHost, ctx->stream),
             "cudaMemcpyAsync (read kernel flags)");
    P4J_CUDA(cudaStreamSynchronize(ctx->stream), what);
    return P4J_OK;
}

void linalg_shared_release(p4j_context* ctx) {
    p4j_linalg_shared* s = ctx->linalg;
    if (s == nullptr) return;
    solver_release(s);
    cudaFree(s->lt_workspace);
    cudaFree(s->flags);
    delete s;
    ctx->linalg = nullptr;
}

}  // namespace p4j
