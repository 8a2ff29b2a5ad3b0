// Host-side entry points of the Hopper CUTLASS sparse GEMM (sparse_gemm_sm90_*.cu). Plain structs
// so that gemm_plan.cu never includes CUTLASS. Every function returns a P4J_ status.
#pragma once

#include "p4j_internal.cuh"

namespace p4j {

// Tile choice (gemm_plan.cu's heuristic).
constexpr int P4J_TILE_WIDE = 0;    // 128 x 128 x 128, cluster 2x1
constexpr int P4J_TILE_NARROW = 1;  // 128 x 64 x 128, no cluster

struct Sm90Sizes {
    uint64_t values_bytes;  // compressed A, CUTLASS's layout
    uint64_t meta_bytes;    // metadata E, CUTLASS's layout
};

struct Sm90Compress {
    int64_t m, k;            // padded dense shape
    const void* dense;       // [m, k] row-major, 2:4 along k
    void* values;            // Sm90Sizes::values_bytes
    void* meta;              // Sm90Sizes::meta_bytes
    void* workspace;
    size_t workspace_bytes;
    int device, sm_count;
    cudaStream_t stream;
};

struct Sm90Run {
    int64_t m, n, k;         // padded out, tokens, padded in
    int tile;
    const void* values;
    const void* meta;
    const void* x;           // [n, k] row-major
    const float* bias;       // [m], never NULL (zeros when the layer has none)
    void* y;                 // [n, m] row-major
    void* workspace;
    size_t workspace_bytes;
    int device, sm_count;
    cudaStream_t stream;
};

// True when this library was built with sm_90a code for the sparse kernels.
bool sm90_built();

int sm90_compressed_sizes_f16(int64_t m, int64_t k, Sm90Sizes* sizes);
int sm90_compress_f16(const Sm90Compress& a);
int sm90_run_f16(const Sm90Run& r);
int sm90_compressed_sizes_bf16(int64_t m, int64_t k, Sm90Sizes* sizes);
int sm90_compress_bf16(const Sm90Compress& a);
int sm90_run_bf16(const Sm90Run& r);

}  // namespace p4j
