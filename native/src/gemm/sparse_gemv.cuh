// Decode-size 2:4 GEMM (1..16 tokens) straight from the canonical compressed weight.
#pragma once

#include "p4j_internal.cuh"

namespace p4j {

constexpr int GEMV_MAX_TOKENS = 16;

// y[t, r] = round(sum_k x[t, k] * W[r, k] + bias[r]) for t < tokens <= 16, W in the canonical 2:4
// form (values [rows, cols/2], metadata [rows, ceil(cols/8)] bytes), F32 accumulation. bias (F32)
// may be NULL. dtype: P4J_DTYPE_F16 or P4J_DTYPE_BF16. Ordered on stream; does not wait.
int sparse24_gemv(int dtype, const void* values, const uint8_t* meta, int64_t rows, int64_t cols, const void* x,
                  int tokens, const float* bias, void* y, int sm_count, cudaStream_t stream);

}  // namespace p4j
