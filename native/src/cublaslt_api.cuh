// cuBLASLt as libprune4j sees it after dlopen: the prototypes, structs and constants of cublasLt.h
// and cublas_api.h (CUDA 13) that we use, declared by hand because the headers are not part of our
// toolchain wheels (GPU-NOTES.md lists them). Loaded once per process by lt_library()
// (gemm/dense_cublaslt.cu); used by the dense GEMM plans and by the calibration and SparseGPT
// kernels (lt_matmul.cu).
#pragma once

#include "p4j_internal.cuh"

#include <string>

namespace p4j {

using cublasStatus_t = int;
using LtHandle = void*;
using LtDesc = void*;
using LtLayout = void*;
using LtPref = void*;

struct LtAlgo {
    uint64_t data[8];
};
struct LtHeuristic {
    LtAlgo algo;
    size_t workspaceSize;
    cublasStatus_t state;
    float wavesCount;
    int reserved[4];
};
static_assert(sizeof(LtAlgo) == 64, "cublasLtMatmulAlgo_t is 64 bytes");
static_assert(sizeof(LtHeuristic) == 96, "cublasLtMatmulHeuristicResult_t is 96 bytes");

constexpr int CUBLAS_COMPUTE_32F = 68;
constexpr int LT_R_16F = 2;
constexpr int LT_R_16BF = 14;
constexpr int LT_R_32F = 0;
constexpr int DESC_TRANSA = 3;
constexpr int DESC_TRANSB = 4;
constexpr int DESC_EPILOGUE = 7;
constexpr int DESC_BIAS_POINTER = 8;
constexpr int PREF_MAX_WORKSPACE_BYTES = 1;
// cublasLtMatmulPreferenceAttributes_t: uint32_t, default 256. An algorithm chosen under the
// default may assume 256-byte aligned pointers, so sub-matrix operands must state their alignment.
constexpr int PREF_MIN_ALIGNMENT_A_BYTES = 5;
constexpr int PREF_MIN_ALIGNMENT_B_BYTES = 6;
constexpr int PREF_MIN_ALIGNMENT_C_BYTES = 7;
constexpr int PREF_MIN_ALIGNMENT_D_BYTES = 8;
constexpr int32_t OP_N = 0;
constexpr int32_t OP_T = 1;
constexpr uint32_t EPILOGUE_DEFAULT = 1;
constexpr uint32_t EPILOGUE_BIAS = 4;

struct LtLibrary {
    void* so = nullptr;
    LtHandle handle = nullptr;
    std::string path;
    cublasStatus_t (*create)(LtHandle*);
    cublasStatus_t (*desc_create)(LtDesc*, int, int);
    cublasStatus_t (*desc_destroy)(LtDesc);
    cublasStatus_t (*desc_set)(LtDesc, int, const void*, size_t);
    cublasStatus_t (*layout_create)(LtLayout*, int, uint64_t, uint64_t, int64_t);
    cublasStatus_t (*layout_destroy)(LtLayout);
    cublasStatus_t (*pref_create)(LtPref*);
    cublasStatus_t (*pref_destroy)(LtPref);
    cublasStatus_t (*pref_set)(LtPref, int, const void*, size_t);
    cublasStatus_t (*heuristic)(LtHandle, LtDesc, LtLayout, LtLayout, LtLayout, LtLayout, LtPref, int, LtHeuristic*,
                                int*);
    cublasStatus_t (*matmul)(LtHandle, LtDesc, const void*, const void*, LtLayout, const void*, LtLayout, const void*,
                             const void*, LtLayout, void*, LtLayout, const LtAlgo*, void*, size_t, cudaStream_t);
};

// P4J_OK for CUBLAS_STATUS_SUCCESS (0), else P4J_ERR_CUDA naming the call.
inline int lt_check(cublasStatus_t s, const char* what) {
    return s == 0 ? P4J_OK : fail(P4J_ERR_CUDA, "%s failed with cuBLAS status %d", what, s);
}

}  // namespace p4j
