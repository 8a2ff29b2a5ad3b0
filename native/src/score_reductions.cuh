// OWL's reductions over an F32 score tensor (dev.prune4j.internal.cpu.ScoreReductions) as
// per-thread functions, shared by score_reductions.cu and the host test. The sum is the CPU's to
// the bit: chunks of SCORE_CHUNK elements, each summed in double in flat order, the chunks' sums
// added in chunk order. The count is an integer and needs no order.
#pragma once

#include <cstdint>

#include "float_bits.cuh"

namespace p4j {

constexpr int64_t SCORE_CHUNK = int64_t{1} << 16;  // ScoreReductions.CHUNK

// Chunks of a tensor of numel elements (at least one, as the CPU counts them).
__host__ __device__ inline int64_t score_chunks(uint64_t numel) {
    const int64_t c = static_cast<int64_t>((numel + SCORE_CHUNK - 1) / SCORE_CHUNK);
    return c < 1 ? 1 : c;
}

// Chunk c's sum in double, in flat order.
__host__ __device__ inline double score_chunk_sum(const float* t, uint64_t numel, int64_t c) {
    const uint64_t begin = static_cast<uint64_t>(c) * SCORE_CHUNK;
    const uint64_t end = begin + SCORE_CHUNK < numel ? begin + SCORE_CHUNK : numel;
    double s = 0;
    for (uint64_t i = begin; i < end; i++) s = dadd_rn(s, static_cast<double>(t[i]));
    return s;
}

// The chunks' sums in chunk order.
__host__ __device__ inline double score_total(const double* partial, int64_t chunks) {
    double s = 0;
    for (int64_t c = 0; c < chunks; c++) s = dadd_rn(s, partial[c]);
    return s;
}

// How many of t[i], i = first, first + stride, ... < numel, are above threshold (NaN never is).
__host__ __device__ inline uint64_t score_count_above(const float* t, uint64_t numel, uint64_t first, uint64_t stride,
                                                      float threshold) {
    uint64_t k = 0;
    for (uint64_t i = first; i < numel; i += stride) k += t[i] > threshold ? 1 : 0;
    return k;
}

}  // namespace p4j
