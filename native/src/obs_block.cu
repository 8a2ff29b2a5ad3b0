// SparseGPT's column-by-column OBS step on one block of columns (CpuKernels.obsBlock), fused into
// one kernel: the per-row work is obs_row (obs_row.cuh), shared with the host test.
//
// Register kernel (block width <= 128; unstructured, 2:4 and 4:8): one warp takes 32 rows, one row
// per thread, held in registers for the whole block (128 floats); the block's inverse factor
// (upper triangle, packed, 33 KiB) is loaded once per thread block into shared memory, and every
// thread reads the same factor element at the same time (a broadcast). Rows run in parallel,
// columns in order; loops are unrolled at compile time so that a row stays in registers. W's tile
// and Err go through a per-warp staging tile in shared memory, so global reads and writes are
// whole rows (coalesced). Narrower blocks are padded with the identity (obs_hb_value).
// Generic kernel (any width, any N:M): one thread per row, in place in global memory. Slower, for
// the shapes the register kernel does not take.
#include "obs_row.cuh"

namespace {

using p4j::OBS_HB_FLOATS;
using p4j::OBS_STAGE_FLOATS;
using p4j::OBS_STAGE_STRIDE;
using p4j::OBS_WIDTH;

constexpr int MAX_WARPS = 4;

template <int M>
__global__ void __launch_bounds__(32 * MAX_WARPS)
obs_block_regs(float* w, int64_t rows, int64_t cols, const float* hinv, int64_t from, int width,
               uint64_t* block_keep, int nm_n, float* err) {
    extern __shared__ float4 smem4[];
    float* hb = reinterpret_cast<float*>(smem4);
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const int warps = blockDim.x >> 5;
    float* stage = hb + OBS_HB_FLOATS + warp * OBS_STAGE_FLOATS;

    // The factor's block, packed row by row (coalesced along each row of hinv).
    for (int i = warp; i < OBS_WIDTH; i += warps) {
        const int first = p4j::obs_hb_first(i);
        float* dst = hb + p4j::obs_hb_offset(i);
        for (int k = lane; k < OBS_WIDTH - first; k += 32) {
            dst[k] = p4j::obs_hb_value(hinv, cols, from, width, i, first + k);
        }
    }
    __syncthreads();

    const int64_t r0 = (static_cast<int64_t>(blockIdx.x) * warps + warp) * 32;
    if (r0 >= rows) return;  // no block-wide barrier below
    const int valid = rows - r0 < 32 ? static_cast<int>(rows - r0) : 32;

    // W's tile, row r of the warp in column r of the staging tile; zeros past the block and the rows.
    for (int r = 0; r < 32; r++) {
        const float* src = w + (r0 + r) * cols + from;
#pragma unroll
        for (int c = 0; c < OBS_WIDTH / 32; c++) {
            const int j = lane + 32 * c;
            stage[j * OBS_STAGE_STRIDE + r] = (r < valid && j < width) ? src[j] : 0.0f;
        }
    }
    __syncwarp();
    p4j::RegRow<OBS_WIDTH> row;
#pragma unroll
    for (int j = 0; j < OBS_WIDTH; j++) row.v[j] = stage[j * OBS_STAGE_STRIDE + lane];
    p4j::RegKeep<OBS_WIDTH> keep;
    const uint64_t bit_offset = static_cast<uint64_t>(r0 + lane) * static_cast<uint64_t>(width);
    if constexpr (M == 0) {
        if (lane < valid) {
            p4j::obs_load_row_keep(block_keep, bit_offset, width, keep.bits);
        } else {
#pragma unroll
            for (int k = 0; k < OBS_WIDTH / 32; k++) keep.bits[k] = ~0u;
        }
    } else {
#pragma unroll
        for (int k = 0; k < OBS_WIDTH / 32; k++) keep.bits[k] = ~0u;
    }
    __syncwarp();  // the staging tile now collects this warp's errors

    p4j::StageErr sink{stage + lane};
    p4j::obs_row<OBS_WIDTH, M>(row, p4j::PackedHb{hb}, keep, OBS_WIDTH, nm_n, M, sink);

    __syncwarp();
    for (int r = 0; r < valid; r++) {
        float* dst = err + (r0 + r) * width;
#pragma unroll
        for (int c = 0; c < OBS_WIDTH / 32; c++) {
            const int j = lane + 32 * c;
            if (j < width) dst[j] = stage[j * OBS_STAGE_STRIDE + r];
        }
    }
    __syncwarp();
#pragma unroll
    for (int j = 0; j < OBS_WIDTH; j++) stage[j * OBS_STAGE_STRIDE + lane] = row.v[j];
    __syncwarp();
    for (int r = 0; r < valid; r++) {
        float* dst = w + (r0 + r) * cols + from;
#pragma unroll
        for (int c = 0; c < OBS_WIDTH / 32; c++) {
            const int j = lane + 32 * c;
            if (j < width) dst[j] = stage[j * OBS_STAGE_STRIDE + r];
        }
    }
    if constexpr (M > 0) {
        if (lane < valid) {
            // This row's choice into the block mask; neighbouring rows share words, hence atomics
            // on disjoint bits.
            const uint64_t first = bit_offset >> 6;
            const uint64_t last = (bit_offset + static_cast<uint64_t>(width) - 1) >> 6;
            auto* words = reinterpret_cast<unsigned long long*>(block_keep);
            for (uint64_t wd = first; wd <= last; wd++) {
                uint64_t mask = 0, value = 0;
                p4j::range_in_word(bit_offset, width, keep.bits, wd, &mask, &value);
                atomicAnd(words + wd, ~static_cast<unsigned long long>(mask));
                atomicOr(words + wd, static_cast<unsigned long long>(value));
            }
        }
    }
}

__global__ void obs_block_generic(float* w, int64_t rows, int64_t cols, const float* hinv, int64_t from, int width,
                                  uint64_t* block_keep, int nm_n, int nm_m, float* err) {
    const int64_t r = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (r >= rows) return;
    p4j::PtrRow row{w + r * cols + from};
    p4j::DenseHb hb{hinv + from * cols + from, cols};
    p4j::WordsKeep keep{block_keep, static_cast<uint64_t>(r) * static_cast<uint64_t>(width)};
    p4j::PtrErr sink{err + r * width};
    p4j::obs_row<0, -1>(row, hb, keep, width, nm_n, nm_m, sink);
}

template <int M>
int launch_regs(p4j_context* ctx, float* w, int64_t rows, int64_t cols, const float* hinv, int64_t from, int width,
                uint64_t* block_keep, int nm_n, float* err) {
    const int64_t warps_needed = (rows + 31) / 32;
    // More warps per thread block share one copy of the factor, once there are rows enough to keep
    // every multiprocessor busy anyway.
    int warps = 1;
    while (warps < MAX_WARPS && warps_needed >= int64_t{2} * warps * ctx->sm_count) warps *= 2;
    const size_t shared = static_cast<size_t>(OBS_HB_FLOATS + warps * OBS_STAGE_FLOATS) * sizeof(float);
    if (shared > ctx->max_shared_optin) {
        return p4j::fail(P4J_ERR_CUDA, "obs_block: %zu bytes of shared memory, the device allows %zu", shared,
                         ctx->max_shared_optin);
    }
    auto kernel = obs_block_regs<M>;
    P4J_CUDA(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, static_cast<int>(shared)),
             "cudaFuncSetAttribute (obs_block shared memory)");
    const int64_t blocks = (warps_needed + warps - 1) / warps;
    kernel<<<static_cast<unsigned>(blocks), 32 * warps, shared, ctx->stream>>>(w, rows, cols, hinv, from, width,
                                                                              block_keep, nm_n, err);
    P4J_CUDA(cudaGetLastError(), "obs_block launch");
    return P4J_OK;
}

}  // namespace

extern "C" int prune4j_obs_block(p4j_context* ctx, float* w, int64_t rows, int64_t cols, const float* hinv, int64_t from,
                                 int64_t to, uint64_t* block_keep, int32_t nm_n, int32_t nm_m, float* err) {
    P4J_CHECK(p4j::enter(ctx));
    if (rows < 0 || cols < 1 || from < 0 || to <= from || to > cols) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "obs_block: block [%lld, %lld) of W [%lld, %lld]", (long long)from,
                         (long long)to, (long long)rows, (long long)cols);
    }
    const int64_t width = to - from;
    if (width > INT32_MAX / 2) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "obs_block: block of %lld columns", (long long)width);
    if (nm_m < 0 || (nm_m > 0 && (nm_n <= 0 || nm_n >= nm_m || width % nm_m != 0))) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "obs_block: N:M %d:%d on a block of %lld columns", nm_n, nm_m,
                         (long long)width);
    }
    if (rows == 0) return P4J_OK;
    if (w == nullptr || hinv == nullptr || block_keep == nullptr || err == nullptr) {
        return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "obs_block: NULL w, hinv, block_keep or err");
    }
    if ((rows + 31) / 32 > 0x7FFFFFFF) return p4j::fail(P4J_ERR_INVALID_ARGUMENT, "obs_block: %lld rows", (long long)rows);
    const int wd = static_cast<int>(width);
    if (width <= OBS_WIDTH) {
        if (nm_m == 0) return launch_regs<0>(ctx, w, rows, cols, hinv, from, wd, block_keep, nm_n, err);
        if (nm_m == 4) return launch_regs<4>(ctx, w, rows, cols, hinv, from, wd, block_keep, nm_n, err);
        if (nm_m == 8) return launch_regs<8>(ctx, w, rows, cols, hinv, from, wd, block_keep, nm_n, err);
    }
    const unsigned blocks = static_cast<unsigned>((rows + 127) / 128);
    obs_block_generic<<<blocks, 128, 0, ctx->stream>>>(w, rows, cols, hinv, from, wd, block_keep, nm_n, nm_m, err);
    P4J_CUDA(cudaGetLastError(), "obs_block (generic) launch");
    return P4J_OK;
}
