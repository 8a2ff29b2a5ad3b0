// RIA's scores (dev.prune4j.internal.cpu.RiaScores) as per-thread functions, shared by the kernels
// of ria_scores.cu and the host test:
//   RIA_ij = (|W_ij| / sum_k |W_kj| + |W_ij| / sum_k |W_ik|) * (normSq_j / tokens)^(exponent / 2)
// The sums are in double in the CPU's order: a row's sum over its columns in order; a column's sum
// per chunk of RIA_ROWS_PER_CHUNK rows (RiaScores.ROWS_PER_CHUNK) in row order, then the chunks'
// sums in chunk order. A zero sum contributes 0. Every operation rounds on its own (dmul_rn ...),
// so the scores are bit-identical to the CPU engine's, except where the device's pow and Java's
// Math.pow round the column factor differently (both are within an ulp or two of the exact power;
// a difference shows in an F32 score only when it straddles a rounding boundary, and then by one
// ulp of the score).
#pragma once

#include "float_bits.cuh"

#include <cmath>
#include <cstdint>

namespace p4j {

constexpr int64_t RIA_ROWS_PER_CHUNK = 64;

__host__ __device__ inline int64_t ria_chunks(int64_t rows) { return (rows + RIA_ROWS_PER_CHUNK - 1) / RIA_ROWS_PER_CHUNK; }

// sum_j |w[r][j]| in column order.
template <int DTYPE>
__host__ __device__ inline double ria_row_sum(const void* w, int64_t cols, int64_t r) {
    double s = 0;
    for (int64_t j = 0; j < cols; j++) {
        s = dadd_rn(s, static_cast<double>(fabsf(load_f32<DTYPE>(w, static_cast<uint64_t>(r * cols + j)))));
    }
    return s;
}

// Chunk c's sum of |w[r][j]| over its rows, in row order.
template <int DTYPE>
__host__ __device__ inline double ria_chunk_column_sum(const void* w, int64_t rows, int64_t cols, int64_t c, int64_t j) {
    const int64_t end = (c + 1) * RIA_ROWS_PER_CHUNK < rows ? (c + 1) * RIA_ROWS_PER_CHUNK : rows;
    double s = 0;
    for (int64_t r = c * RIA_ROWS_PER_CHUNK; r < end; r++) {
        s = dadd_rn(s, static_cast<double>(fabsf(load_f32<DTYPE>(w, static_cast<uint64_t>(r * cols + j)))));
    }
    return s;
}

// 1 / s, or 0 for a zero sum.
__host__ __device__ inline double ria_inverse(double s) { return s > 0 ? ddiv_rn(1.0, s) : 0.0; }

// Column j's factors from the chunks' sums partial[c * cols + j]: the inverse of the column's sum
// (chunks added in order) and (norm_sq[j] / tokens)^half_exponent.
__host__ __device__ inline void ria_column_factors(const double* partial, int64_t chunks, int64_t cols, int64_t j,
                                                   const float* norm_sq, double tokens, double half_exponent,
                                                   double* inv_col, double* scale) {
    double s = 0;
    for (int64_t c = 0; c < chunks; c++) s = dadd_rn(s, partial[c * cols + j]);
    *inv_col = ria_inverse(s);
    *scale = pow(ddiv_rn(static_cast<double>(norm_sq[j]), tokens), half_exponent);
}

// The score of |w| = a: (a / colSum + a / rowSum) * scale, rounded to F32 once.
__host__ __device__ inline float ria_score(float a, double inv_col, double inv_row, double scale) {
    const double x = a;
    return static_cast<float>(dmul_rn(dadd_rn(dmul_rn(x, inv_col), dmul_rn(x, inv_row)), scale));
}

}  // namespace p4j
