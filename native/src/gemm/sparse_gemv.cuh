// Decode-size 2:4 GEMM (1..16 tokens) straight from the canonical compressed weight, on the sparse
// tensor cores (sparse_gemv.cu; geometry in gemm_math.cuh).
#pragma once

#include "gemm/gemm_math.cuh"
#include "p4j_internal.cuh"

namespace p4j {

constexpr int GEMV_MAX_TOKENS = DECODE_MAX_TOKENS;

struct DecodeScratch {
    size_t partial_bytes;  // F32 partial sums of a split input dimension (0: no split)
    size_t counter_bytes;  // one counter per row block, zero between launches (0: no split)
};

// What a run at `tokens` tokens needs besides the weight, x and y.
DecodeScratch decode_scratch_needed(int64_t rows, int64_t cols, int tokens, int sm_count);

// y[t, r] = round(sum_k x[t, k] * W[r, k] + bias[r]) for t < tokens <= 16, W in the canonical 2:4
// form (values [rows, cols/2], metadata [rows, ceil(cols/8)] bytes), F32 accumulation. bias (F32)
// may be NULL. values, meta, x and y 16-byte aligned (gemm_plan.cu checks x and y). counters must
// be zero before the first launch; every launch leaves them zero. Ordered on stream; does not wait.
struct DecodeRun {
    int dtype;  // P4J_DTYPE_F16 or P4J_DTYPE_BF16
    const void* values;
    const uint8_t* meta;
    int64_t rows, cols;
    const void* x;
    int tokens;
    const float* bias;
    void* y;
    float* partials;
    size_t partial_bytes;
    unsigned* counters;
    int sm_count;
    cudaStream_t stream;
};

int sparse24_gemv(const DecodeRun& r);

}  // namespace p4j
