// SparseGPT's inverse factor through cuSOLVER: for a symmetric positive definite F32 matrix A
// [n, n], the upper triangular U with U^T U = A^-1 (CpuKernels.choleskyInverseUpper; PyTorch's
// cholesky -> cholesky_inverse -> cholesky(upper=True)).
//
// cuSOLVER is column-major; a symmetric row-major matrix is its own transpose, and the row-major
// upper triangle is the column-major lower one. So, all in place and on the lower (column-major)
// triangle: potrf (A = L L^T), potri (the lower triangle of A^-1), potrf again (A^-1 = L' L'^T).
// Read row-major, L' is L'^T = U: upper triangular, positive diagonal, U^T U = L' L'^T = A^-1, and
// Cholesky factors are unique. potrf and potri read and write only that triangle, so no mirror is
// needed between the steps; the other triangle still holds A and is zeroed at the end. cuSOLVER
// rather than an own kernel: potrf/potri are tuned blocked LAPACK on the tensor-core-free F32
// path, and this step runs once per layer (and per damping retry), not per block.
//
// libcusolver.so.12 (nvidia-cusolver 12.0.4.66, CUDA 13.0) is opened at run time with its
// siblings libcublas.so.13, libcublasLt.so.13, libcusparse.so.12 and libnvJitLink.so.13 from the
// same folder (cuda_libs.cuh); the prototypes are cusolverDn.h's (GPU-NOTES.md).
#include "cuda_libs.cuh"
#include "linalg_shared.cuh"

#include <climits>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

namespace {

using cusolverStatus_t = int;
using cusolverDnHandle_t = void*;
constexpr int CUSOLVER_STATUS_SUCCESS = 0;
constexpr int FILL_LOWER = 0;  // cublasFillMode_t CUBLAS_FILL_MODE_LOWER

struct Solver {
    void* so = nullptr;
    std::string path;
    cusolverStatus_t (*create)(cusolverDnHandle_t*);
    cusolverStatus_t (*destroy)(cusolverDnHandle_t);
    cusolverStatus_t (*set_stream)(cusolverDnHandle_t, cudaStream_t);
    cusolverStatus_t (*potrf_size)(cusolverDnHandle_t, int, int, float*, int, int*);
    cusolverStatus_t (*potrf)(cusolverDnHandle_t, int, int, float*, int, float*, int, int*);
    cusolverStatus_t (*potri_size)(cusolverDnHandle_t, int, int, float*, int, int*);
    cusolverStatus_t (*potri)(cusolverDnHandle_t, int, int, float*, int, float*, int, int*);
};

std::mutex solver_mutex;
Solver* solver_loaded = nullptr;

int load_solver(Solver** out) {
    std::lock_guard<std::mutex> lock(solver_mutex);
    if (solver_loaded != nullptr) {
        *out = solver_loaded;
        return P4J_OK;
    }
    std::string path, tried;
    void* so = p4j::open_cuda_library(
        "libcusolver.so.12", {"libnvJitLink.so.13", "libcublasLt.so.13", "libcublas.so.13", "libcusparse.so.12"}, &path,
        &tried);
    if (so == nullptr) {
        return p4j::fail(P4J_ERR_CUDA,
                         "cuSOLVER (libcusolver.so.12, with libcublas.so.13, libcublasLt.so.13, libcusparse.so.12 and "
                         "libnvJitLink.so.13 in the same folder) not found; set PRUNE4J_CUDA_LIBS to its folder. Tried:%s",
                         tried.c_str());
    }
    Solver* s = new (std::nothrow) Solver{};
    if (s == nullptr) return p4j::fail(P4J_ERR_OUT_OF_MEMORY, "out of host memory");
    s->so = so;
    s->path = path;
    std::string missing;
    p4j::bind_symbol(so, "cusolverDnCreate", s->create, missing);
    p4j::bind_symbol(so, "cusolverDnDestroy", s->destroy, missing);
    p4j::bind_symbol(so, "cusolverDnSetStream", s->set_stream, missing);
    p4j::bind_symbol(so, "cusolverDnSpotrf_bufferSize", s->potrf_size, missing);
    p4j::bind_symbol(so, "cusolverDnSpotrf", s->potrf, missing);
    p4j::bind_symbol(so, "cusolverDnSpotri_bufferSize", s->potri_size, missing);
    p4j::bind_symbol(so, "cusolverDnSpotri", s->potri, missing);
    if (!missing.empty()) {
        int status = p4j::fail(P4J_ERR_CUDA, "%s lacks:%s", path.c_str(), missing.c_str());
        dlclose(so);
        delete s;
        return status;
    }
    solver_loaded = s;
    *out = s;
    return P4J_OK;
}

int solver_check(cusolverStatus_t s, const char* what) {
    return s == CUSOLVER_STATUS_SUCCESS ? P4J_OK : p4j::fail(P4J_ERR_CUDA, "%s failed with cuSOLVER status %d", what, s);
}

// Zeroes the strict lower triangle of row-major a [n, n] (cuSOLVER's untouched column-major upper).
__global__ void zero_strict_lower(float* a, int64_t n) {
    const uint64_t numel = static_cast<uint64_t>(n) * static_cast<uint64_t>(n);
    const uint64_t stride = static_cast<uint64_t>(gridDim.x) * blockDim.x;
    for (uint64_t i = static_cast<uint64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel; i += stride) {
        const uint64_t r = i / static_cast<uint64_t>(n);
        const uint64_t c = i - r * static_cast<uint64_t>(n);
        if (c < r) a[i] = 0.0f;
    }
}

}  // namespace

namespace p4j {

int solver_library(const char** path) {
    Solver* lib = nullptr;
    P4J_CHECK(load_solver(&lib));
    *path = lib->path.c_str();
    return P4J_OK;
}

void solver_release(p4j_linalg_shared* s) {
    if (s->solver != nullptr && solver_loaded != nullptr) solver_loaded->destroy(s->solver);
    s->solver = nullptr;
    cudaFree(s->solver_work);
    s->solver_work = nullptr;
    s->solver_work_floats = 0;
}

}  // namespace p4j

extern "C" int prune4j_cholesky_inverse_upper(p4j_context* ctx, float* a, int64_t n, int32_t* info) {
    if (info != nullptr) *info = 0;
    P4J_CHECK(p4j::enter(ctx));
    if (n < 1 || n > INT_MAX) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "cholesky_inverse_upper: n = %lld", (long long)n);
    }
    if (a == nullptr) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "cholesky_inverse_upper: NULL a");
    Solver* lib = nullptr;
    P4J_CHECK(load_solver(&lib));
    p4j_linalg_shared* s = nullptr;
    P4J_CHECK(p4j::linalg_shared(ctx, &s));
    if (s->solver == nullptr) {
        P4J_CHECK(solver_check(lib->create(&s->solver), "cusolverDnCreate"));
    }
    P4J_CHECK(solver_check(lib->set_stream(s->solver, ctx->stream), "cusolverDnSetStream"));
    const int nn = static_cast<int>(n);
    int lwork_potrf = 0, lwork_potri = 0;
    P4J_CHECK(solver_check(lib->potrf_size(s->solver, FILL_LOWER, nn, a, nn, &lwork_potrf), "cusolverDnSpotrf_bufferSize"));
    P4J_CHECK(solver_check(lib->potri_size(s->solver, FILL_LOWER, nn, a, nn, &lwork_potri), "cusolverDnSpotri_bufferSize"));
    const int lwork = lwork_potrf > lwork_potri ? lwork_potrf : lwork_potri;
    if (static_cast<size_t>(lwork) > s->solver_work_floats) {
        P4J_CUDA(cudaStreamSynchronize(ctx->stream), "cudaStreamSynchronize (cuSOLVER workspace)");
        cudaFree(s->solver_work);
        s->solver_work = nullptr;
        s->solver_work_floats = 0;
        P4J_CUDA(cudaMalloc(&s->solver_work, static_cast<size_t>(lwork > 0 ? lwork : 1) * sizeof(float)),
                 "cudaMalloc (cuSOLVER workspace)");
        s->solver_work_floats = static_cast<size_t>(lwork);
    }
    long long* flags = nullptr;
    P4J_CHECK(p4j::flags_reset(ctx, 2, &flags));
    P4J_CUDA(cudaMemsetAsync(flags, 0, 2 * sizeof(long long), ctx->stream), "cudaMemsetAsync (devInfo)");
    int* dev_info = reinterpret_cast<int*>(flags);  // three ints in the first two slots
    // All three steps are queued at once and their infos read with one wait: a step after a failed
    // one computes garbage that nobody reads (the infos say which step failed).
    P4J_CHECK(solver_check(lib->potrf(s->solver, FILL_LOWER, nn, a, nn, s->solver_work, lwork, dev_info),
                           "cusolverDnSpotrf (H)"));
    P4J_CHECK(solver_check(lib->potri(s->solver, FILL_LOWER, nn, a, nn, s->solver_work, lwork, dev_info + 1),
                           "cusolverDnSpotri"));
    P4J_CHECK(solver_check(lib->potrf(s->solver, FILL_LOWER, nn, a, nn, s->solver_work, lwork, dev_info + 2),
                           "cusolverDnSpotrf (H^-1)"));
    const uint64_t numel = static_cast<uint64_t>(n) * static_cast<uint64_t>(n);
    zero_strict_lower<<<p4j::grid_for(ctx, numel, p4j::THREADS), p4j::THREADS, 0, ctx->stream>>>(a, n);
    long long host[2];
    P4J_CHECK(p4j::flags_read(ctx, 2, host, "cholesky_inverse_upper"));
    int infos[4];
    std::memcpy(infos, host, sizeof infos);
    static const char* const steps[3] = {"the Cholesky factorisation of H (potrf)",
                                         "the inverse from the factor (potri)",
                                         "the Cholesky factorisation of H^-1 (potrf)"};
    for (int k = 0; k < 3; k++) {
        if (infos[k] < 0) {
            return p4j::fail(P4J_ERR_CUDA, "cholesky_inverse_upper: %s rejected parameter %d", steps[k], -infos[k]);
        }
        if (infos[k] > 0) {
            if (info != nullptr) *info = infos[k];
            return p4j::fail(P4J_ERR_NOT_POSITIVE_DEFINITE,
                             "cholesky_inverse_upper: %s failed: the leading minor of order %d of the %lld x %lld matrix "
                             "is not positive definite (retry with more damping)",
                             steps[k], infos[k], (long long)n, (long long)n);
        }
    }
    return P4J_OK;
}
