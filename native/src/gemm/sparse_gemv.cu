// Decode path of the 2:4 GEMM: at 1..16 tokens a layer is bound by the bytes of its weight, so this
// kernel streams the canonical compressed weight (2 values + one nibble per group of 4, 9/16 of the
// dense bytes) exactly once, each warp owning ROWS output rows and accumulating in F32 all tokens
// at once. x (tokens x cols, a few hundred KB at most) is re-read from L1/L2. The Java twin is
// CpuLinearKernels.sparse24.
#include "gemm/sparse_gemv.cuh"

#include <cuda_bf16.h>
#include <cuda_fp16.h>

namespace {

constexpr int WARPS = 8;

template <typename T>
__device__ __forceinline__ float widen(uint32_t bits16);
template <>
__device__ __forceinline__ float widen<__half>(uint32_t bits16) {
    return __half2float(__ushort_as_half(static_cast<unsigned short>(bits16)));
}
template <>
__device__ __forceinline__ float widen<__nv_bfloat16>(uint32_t bits16) {
    return __uint_as_float(bits16 << 16);
}

template <typename T>
__device__ __forceinline__ T narrow(float v);
template <>
__device__ __forceinline__ __half narrow<__half>(float v) { return __float2half_rn(v); }
template <>
__device__ __forceinline__ __nv_bfloat16 narrow<__nv_bfloat16>(float v) { return __float2bfloat16_rn(v); }

// Element i (0..3) of a group held as two 32-bit words (elements 0,1 in lo; 2,3 in hi), by selects
// rather than a dynamically indexed array (which would spill to local memory).
__device__ __forceinline__ uint32_t pick(uint32_t lo, uint32_t hi, int i) {
    uint32_t w = (i & 2) ? hi : lo;
    return (i & 1) ? (w >> 16) : (w & 0xFFFFu);
}

template <int TMAX, int ROWS>
__device__ __forceinline__ void warp_sum(float (&acc)[ROWS][TMAX]) {
#pragma unroll
    for (int j = 0; j < ROWS; j++) {
#pragma unroll
        for (int t = 0; t < TMAX; t++) {
#pragma unroll
            for (int o = 16; o > 0; o >>= 1) {
                acc[j][t] += __shfl_xor_sync(0xFFFFFFFFu, acc[j][t], o);
            }
        }
    }
}

template <typename T, int TMAX, int ROWS>
__device__ __forceinline__ void store(float (&acc)[ROWS][TMAX], int64_t row0, int64_t rows, int tokens,
                                      const float* bias, T* y) {
    const int lane = threadIdx.x & 31;
#pragma unroll
    for (int j = 0; j < ROWS; j++) {
        const int64_t r = row0 + j;
#pragma unroll
        for (int t = 0; t < TMAX; t++) {
            if (lane == t && t < tokens && r < rows) {
                y[int64_t(t) * rows + r] = narrow<T>(acc[j][t] + (bias != nullptr ? bias[r] : 0.0f));
            }
        }
    }
}

// cols % 32 == 0: each lane takes chunks of 32 columns (8 groups): 32 bytes of values and one
// 32-bit metadata word per row, and 64 bytes of x per token.
template <typename T, int TMAX, int ROWS>
__global__ void __launch_bounds__(WARPS * 32) gemv_vec_kernel(const uint16_t* __restrict__ values,
                                                             const uint8_t* __restrict__ meta, int64_t rows,
                                                             int64_t cols, const uint16_t* __restrict__ x, int tokens,
                                                             const float* __restrict__ bias, T* __restrict__ y) {
    const int lane = threadIdx.x & 31;
    const int64_t row0 = (int64_t(blockIdx.x) * WARPS + threadIdx.x / 32) * ROWS;
    if (row0 >= rows) return;
    float acc[ROWS][TMAX];
#pragma unroll
    for (int j = 0; j < ROWS; j++)
#pragma unroll
        for (int t = 0; t < TMAX; t++) acc[j][t] = 0.0f;

    const int64_t chunks = cols / 32;
    for (int64_t c = lane; c < chunks; c += 32) {
        uint4 v[ROWS][2];
        uint32_t m[ROWS];
#pragma unroll
        for (int j = 0; j < ROWS; j++) {
            const int64_t r = row0 + j < rows ? row0 + j : rows - 1;
            const uint4* vp = reinterpret_cast<const uint4*>(values + r * (cols / 2) + c * 16);
            v[j][0] = __ldg(vp);
            v[j][1] = __ldg(vp + 1);
            m[j] = __ldg(reinterpret_cast<const uint32_t*>(meta + r * (cols / 8) + c * 4));
        }
#pragma unroll
        for (int t = 0; t < TMAX; t++) {
            if (t >= tokens) break;
            const uint4* xp = reinterpret_cast<const uint4*>(x + int64_t(t) * cols + c * 32);
            uint4 xs[4] = {__ldg(xp), __ldg(xp + 1), __ldg(xp + 2), __ldg(xp + 3)};
            const uint32_t* xw = reinterpret_cast<const uint32_t*>(xs);
#pragma unroll
            for (int j = 0; j < ROWS; j++) {
                const uint32_t* vw = reinterpret_cast<const uint32_t*>(v[j]);
                float s = 0.0f;
#pragma unroll
                for (int g = 0; g < 8; g++) {
                    const int nib = (m[j] >> (4 * g)) & 0xF;
                    const uint32_t x0 = pick(xw[2 * g], xw[2 * g + 1], nib & 3);
                    const uint32_t x1 = pick(xw[2 * g], xw[2 * g + 1], nib >> 2);
                    s = fmaf(widen<T>(vw[g] & 0xFFFFu), widen<T>(x0), s);
                    s = fmaf(widen<T>(vw[g] >> 16), widen<T>(x1), s);
                }
                acc[j][t] += s;
            }
        }
    }
    warp_sum<TMAX, ROWS>(acc);
    store<T, TMAX, ROWS>(acc, row0, rows, tokens, bias, y);
}

// Any cols % 4 == 0: one group at a time, one row per warp.
template <typename T, int TMAX>
__global__ void __launch_bounds__(WARPS * 32) gemv_any_kernel(const uint16_t* __restrict__ values,
                                                             const uint8_t* __restrict__ meta, int64_t rows,
                                                             int64_t cols, const uint16_t* __restrict__ x, int tokens,
                                                             const float* __restrict__ bias, T* __restrict__ y) {
    const int lane = threadIdx.x & 31;
    const int64_t row = int64_t(blockIdx.x) * WARPS + threadIdx.x / 32;
    if (row >= rows) return;
    float acc[1][TMAX];
#pragma unroll
    for (int t = 0; t < TMAX; t++) acc[0][t] = 0.0f;
    const int64_t groups = cols / 4;
    const int64_t meta_row = (cols + 7) / 8;
    for (int64_t g = lane; g < groups; g += 32) {
        const int nib = (meta[row * meta_row + g / 2] >> ((g & 1) * 4)) & 0xF;
        const float w0 = widen<T>(values[row * (cols / 2) + 2 * g]);
        const float w1 = widen<T>(values[row * (cols / 2) + 2 * g + 1]);
#pragma unroll
        for (int t = 0; t < TMAX; t++) {
            if (t >= tokens) break;
            const uint16_t* xg = x + int64_t(t) * cols + 4 * g;
            acc[0][t] = fmaf(w0, widen<T>(xg[nib & 3]), acc[0][t]);
            acc[0][t] = fmaf(w1, widen<T>(xg[nib >> 2]), acc[0][t]);
        }
    }
    warp_sum<TMAX, 1>(acc);
    store<T, TMAX, 1>(acc, row, rows, tokens, bias, y);
}

template <typename T, int TMAX>
void launch(const void* values, const uint8_t* meta, int64_t rows, int64_t cols, const void* x, int tokens,
            const float* bias, void* y, int sm_count, cudaStream_t stream) {
    const uint16_t* v = static_cast<const uint16_t*>(values);
    const uint16_t* xx = static_cast<const uint16_t*>(x);
    T* yy = static_cast<T*>(y);
    if (cols % 32 != 0) {
        unsigned grid = unsigned((rows + WARPS - 1) / WARPS);
        gemv_any_kernel<T, TMAX><<<grid, WARPS * 32, 0, stream>>>(v, meta, rows, cols, xx, tokens, bias, yy);
    } else if (rows >= int64_t(sm_count) * WARPS * 2 * 4) {
        // Enough rows for about four blocks per SM with two rows per warp.
        unsigned grid = unsigned((rows + WARPS * 2 - 1) / (WARPS * 2));
        gemv_vec_kernel<T, TMAX, 2><<<grid, WARPS * 32, 0, stream>>>(v, meta, rows, cols, xx, tokens, bias, yy);
    } else {
        unsigned grid = unsigned((rows + WARPS - 1) / WARPS);
        gemv_vec_kernel<T, TMAX, 1><<<grid, WARPS * 32, 0, stream>>>(v, meta, rows, cols, xx, tokens, bias, yy);
    }
}

template <typename T>
void launch_tokens(const void* values, const uint8_t* meta, int64_t rows, int64_t cols, const void* x, int tokens,
                   const float* bias, void* y, int sm_count, cudaStream_t stream) {
    if (tokens <= 1) {
        launch<T, 1>(values, meta, rows, cols, x, tokens, bias, y, sm_count, stream);
    } else if (tokens <= 2) {
        launch<T, 2>(values, meta, rows, cols, x, tokens, bias, y, sm_count, stream);
    } else if (tokens <= 4) {
        launch<T, 4>(values, meta, rows, cols, x, tokens, bias, y, sm_count, stream);
    } else if (tokens <= 8) {
        launch<T, 8>(values, meta, rows, cols, x, tokens, bias, y, sm_count, stream);
    } else {
        launch<T, 16>(values, meta, rows, cols, x, tokens, bias, y, sm_count, stream);
    }
}

}  // namespace

namespace p4j {

int sparse24_gemv(int dtype, const void* values, const uint8_t* meta, int64_t rows, int64_t cols, const void* x,
                  int tokens, const float* bias, void* y, int sm_count, cudaStream_t stream) {
    if (tokens < 1 || tokens > GEMV_MAX_TOKENS || cols % 4 != 0 || rows < 1) {
        return fail(P4J_ERR_INVALID_ARGUMENT, "sparse24_gemv: %d tokens (1..%d), weight [%lld, %lld]", tokens,
                    GEMV_MAX_TOKENS, (long long)rows, (long long)cols);
    }
    if (dtype == P4J_DTYPE_F16) {
        launch_tokens<__half>(values, meta, rows, cols, x, tokens, bias, y, sm_count, stream);
    } else if (dtype == P4J_DTYPE_BF16) {
        launch_tokens<__nv_bfloat16>(values, meta, rows, cols, x, tokens, bias, y, sm_count, stream);
    } else {
        return fail(P4J_ERR_INVALID_ARGUMENT, "sparse24_gemv: dtype code %d is not F16 or BF16", dtype);
    }
    P4J_CUDA(cudaGetLastError(), "sparse24_gemv launch");
    return P4J_OK;
}

}  // namespace p4j
