// Per-context state of the calibration and SparseGPT kernels (ctx->linalg), made on first use and
// freed by prune4j_context_destroy: the cuBLASLt workspace, the cuSOLVER handle and its workspace,
// and a few device flags (lowest index of a non-finite value, LAPACK info codes, a double result).
#pragma once

#include "p4j_internal.cuh"

#include <cstdint>

struct p4j_linalg_shared {
    void* lt_workspace = nullptr;
    size_t lt_workspace_bytes = 0;
    void* solver = nullptr;  // cusolverDnHandle_t (cholesky_cusolver.cu)
    float* solver_work = nullptr;
    size_t solver_work_floats = 0;
    long long* flags = nullptr;  // FLAG_SLOTS int64 slots
};

namespace p4j {

constexpr int FLAG_SLOTS = 8;
// "No index found" in a flag slot; kernels lower it with atomicMin.
constexpr long long FLAG_NONE = INT64_MAX;

int linalg_shared(p4j_context* ctx, p4j_linalg_shared** out);

// The cuBLASLt workspace of the context (32 MiB, what PyTorch gives cuBLASLt on Hopper).
int lt_workspace(p4j_context* ctx, void** ptr, size_t* bytes);

// Sets flag slots [0, count) to FLAG_NONE, ordered on the stream; *flags gets the device slots.
int flags_reset(p4j_context* ctx, int count, long long** flags);

// Copies flag slots [0, count) to host and waits for the stream (and checks the last launch).
int flags_read(p4j_context* ctx, int count, long long* host, const char* what);

// Loads cuSOLVER once (cholesky_cusolver.cu): P4J_OK with *path the file it came from, or the
// error (prune4j_last_error) naming every place it was looked for.
int solver_library(const char** path);

// Frees the cuSOLVER handle and workspace (cholesky_cusolver.cu).
void solver_release(p4j_linalg_shared* s);

// Stream-ordered device scratch freed on every way out of a function.
struct AsyncBuffer {
    cudaStream_t stream;
    void* ptr = nullptr;
    explicit AsyncBuffer(cudaStream_t s) : stream(s) {}
    AsyncBuffer(const AsyncBuffer&) = delete;
    AsyncBuffer& operator=(const AsyncBuffer&) = delete;
    ~AsyncBuffer() {
        if (ptr != nullptr) cudaFreeAsync(ptr, stream);
    }
    int allocate(size_t bytes, const char* what) {
        cudaError_t err = cudaMallocAsync(&ptr, bytes, stream);
        if (err != cudaSuccess) {
            ptr = nullptr;
            return cuda_fail(err, what);
        }
        return P4J_OK;
    }
    template <typename T>
    T* as() const {
        return static_cast<T*>(ptr);
    }
};

// Records the lowest flat index of a bad value (atomicMin on a flag slot).
__device__ __forceinline__ void report_index(long long* slot, uint64_t i) {
    atomicMin(slot, static_cast<long long>(i));
}

}  // namespace p4j
