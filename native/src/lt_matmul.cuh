// Strided cuBLASLt products for the calibration and SparseGPT kernels: the Hessian strips,
// SparseGPT's trailing update and the quadratic form's D H. Column-major, as cuBLAS sees memory: a
// row-major [r, c] matrix with row stride ld is a column-major [c, r] one with the same ld.
#pragma once

#include "p4j_internal.cuh"

#include <cstdint>

namespace p4j {

struct LtMatmul {
    int type_ab;  // cudaDataType of A and B: LT_R_16F, LT_R_16BF or LT_R_32F (cublaslt_api.cuh)
    bool trans_a;
    bool trans_b;
    uint64_t m, n, k;  // D [m, n] = op(A) [m, k] * op(B) [k, n]
    int64_t lda, ldb, ldc;
};

// D = alpha op(A) op(B) + beta C in place (D is C), C and D F32, F32 accumulation
// (CUBLAS_COMPUTE_32F: no TF32), on the context's stream with its workspace. The algorithm is
// chosen by cuBLASLt's heuristic for the shape and the operands' actual alignment, and cached.
int lt_matmul(p4j_context* ctx, const LtMatmul& g, float alpha, const void* a, const void* b, float beta, float* c,
              const char* what);

// cudaDataType of a prunable dtype code.
int lt_type_of(int32_t dtype);

}  // namespace p4j
