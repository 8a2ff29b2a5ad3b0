// Host-side entry points of the Ampere CUTLASS 2 sparse GEMM (sparse_gemm_sm80.cu), plain structs
// so that gemm_plan.cu never includes CUTLASS. Every function returns a P4J_ status.
#pragma once

#include "p4j_internal.cuh"

namespace p4j {

constexpr int P4J_SM80_TILE_WIDE = 0;    // 128 x 128 x 64, 3 stages
constexpr int P4J_SM80_TILE_NARROW = 1;  // 128 x 64 x 64, 4 stages

// What the kernel needs: M multiple of 32 (metadata row groups), K multiple of 64 (tile K), N
// multiple of 8 (vector width of the F32 output rows).
constexpr int SM80_M_ALIGN = 128;
constexpr int SM80_K_ALIGN = 128;
constexpr int SM80_N_ALIGN = 8;

struct Sm80Run {
    int64_t m, n, k;      // padded
    int dtype;            // P4J_DTYPE_F16 or P4J_DTYPE_BF16
    int tile;
    const void* values;   // [m, k/2] row-major (the canonical values)
    const void* meta;     // reordered metadata (sm80_reorder_meta)
    const void* x;        // [n, k] row-major
    float* out;           // [m, n] row-major F32 (Y^T); gemm_plan.cu transposes and adds the bias
    void* workspace;
    size_t workspace_bytes;
    cudaStream_t stream;
};

int sm80_run(const Sm80Run& r);

// Canonical metadata (row-major [m, k/16] uint16 words, Sparse24's nibbles: 4 groups a word) to CUTLASS's
// reordered layout (ColumnMajorInterleaved<2> with rows interleaved for ldmatrix), and back.
int sm80_reorder_meta(const uint16_t* canonical, int64_t m, int64_t k, uint16_t* reordered, cudaStream_t stream);
int sm80_unreorder_meta(const uint16_t* reordered, int64_t m, int64_t k, uint16_t* canonical, cudaStream_t stream);

}  // namespace p4j
