// Index math of the calibration kernels (calib_norms.cu, calib_hessian.cu), kept apart from the
// kernels so that the host test checks it exhaustively on small shapes against plain loops.
#pragma once

#include <cmath>
#include <cstdint>

namespace p4j {

// ---- squared norms: X [tokens, in] read in column groups of vec elements (one 8-byte load) by
// NORMS_THREADS threads per block, and in token slices (blockIdx.y), each summed on its own. ----

constexpr int NORMS_THREADS = 256;
constexpr int64_t NORMS_MIN_ROWS_PER_SLICE = 16;
constexpr int64_t NORMS_MAX_SLICES = 65535;  // gridDim.y

struct NormsGrid {
    int vec;                 // consecutive columns per thread
    int64_t col_blocks;      // gridDim.x
    int64_t slices;          // gridDim.y
    int64_t rows_per_slice;  // tokens of slice s: [s * rows_per_slice, min(tokens, (s + 1) * rows_per_slice))
};

// About target_blocks blocks in all, at least NORMS_MIN_ROWS_PER_SLICE tokens a slice, no empty
// slice. tokens >= 1, in >= 1, vec >= 1.
__host__ __device__ inline NormsGrid norms_grid(int64_t tokens, int64_t in, int vec, int64_t target_blocks) {
    NormsGrid g;
    g.vec = vec;
    const int64_t groups = (in + vec - 1) / vec;
    g.col_blocks = (groups + NORMS_THREADS - 1) / NORMS_THREADS;
    int64_t slices = target_blocks / g.col_blocks;
    const int64_t most = (tokens + NORMS_MIN_ROWS_PER_SLICE - 1) / NORMS_MIN_ROWS_PER_SLICE;
    if (slices > most) slices = most;
    if (slices > NORMS_MAX_SLICES) slices = NORMS_MAX_SLICES;
    if (slices < 1) slices = 1;
    g.rows_per_slice = (tokens + slices - 1) / slices;
    g.slices = (tokens + g.rows_per_slice - 1) / g.rows_per_slice;
    return g;
}

// ---- Hessian update: the upper triangle of H [n, n] as horizontal strips, rows [start[k],
// start[k+1]) x columns [start[k], n), one GEMM each (about (count + 1) / (2 count) of the full
// product's work). Boundaries are multiples of 64 (aligned sub-matrix pointers). ----

constexpr int MAX_STRIPS = 8;

struct Strips {
    int count;
    int64_t start[MAX_STRIPS + 1];
};

__host__ __device__ inline Strips hessian_strips(int64_t n) {
    Strips s;
    int64_t want = n / 1024;
    if (want < 1) want = 1;
    if (want > MAX_STRIPS) want = MAX_STRIPS;
    int64_t step = (n + want - 1) / want;
    step = (step + 63) / 64 * 64;
    s.count = 0;
    s.start[0] = 0;
    while (s.start[s.count] < n) {
        const int64_t next = s.start[s.count] + step;
        s.start[s.count + 1] = next < n ? next : n;
        s.count++;
    }
    return s;
}

// ---- mirror of the strict upper triangle into the strict lower one, in MIRROR_TILE^2 tiles: tile t
// of the T (T + 1) / 2 tiles on or below the diagonal is (bi, bj), bj <= bi, row-major order. ----

constexpr int MIRROR_TILE = 32;

__host__ __device__ inline void mirror_tile(uint64_t t, uint64_t* bi, uint64_t* bj) {
    // bi = the largest b with b (b + 1) / 2 <= t; the double estimate is corrected both ways.
    uint64_t b = static_cast<uint64_t>((sqrt(8.0 * static_cast<double>(t) + 1.0) - 1.0) / 2.0);
    while (b * (b + 1) / 2 > t) b--;
    while ((b + 1) * (b + 2) / 2 <= t) b++;
    *bi = b;
    *bj = t - b * (b + 1) / 2;
}

__host__ __device__ inline uint64_t mirror_tile_count(int64_t n) {
    const uint64_t tiles = static_cast<uint64_t>((n + MIRROR_TILE - 1) / MIRROR_TILE);
    return tiles * (tiles + 1) / 2;
}

}  // namespace p4j
