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

// One CUTLASS GEMM object of one tile configuration, built and initialize()d once (TMA
// descriptors, cudaFuncSetAttribute: host work that must not sit inside a timed call) and kept by
// the plan per token bucket; a later run with other pointers or another token count only updates
// its arguments (host-side descriptor encoding, no device work, no attribute calls).
struct Sm90Gemm {
    void (*destroy)(Sm90Gemm*);
    int tile;
};

inline void sm90_gemm_destroy(Sm90Gemm* g) {
    if (g != nullptr) g->destroy(g);
}

// True when this library was built with sm_90a code for the sparse kernels.
bool sm90_built();

// run: *cache holds the GEMM object for r.tile (created on first use; replaced when it holds
// another tile). Ordered on r.stream; does not wait.
int sm90_compressed_sizes_f16(int64_t m, int64_t k, Sm90Sizes* sizes);
int sm90_compress_f16(const Sm90Compress& a);
int sm90_run_f16(const Sm90Run& r, Sm90Gemm** cache);
int sm90_compressed_sizes_bf16(int64_t m, int64_t k, Sm90Sizes* sizes);
int sm90_compress_bf16(const Sm90Compress& a);
int sm90_run_bf16(const Sm90Run& r, Sm90Gemm** cache);

}  // namespace p4j
